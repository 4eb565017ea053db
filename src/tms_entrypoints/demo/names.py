"""Names for the demo people: mostly Latin script, some Cyrillic, Greek, Chinese, Japanese
and Korean, each with the Latin form their username is made from."""

from __future__ import annotations

import random
import unicodedata


def _names(text: str) -> tuple[str, ...]:
    """Comma-separated, so that a name may have spaces ("van der Berg")."""
    return tuple(name.strip() for name in text.split(","))


LATIN_FIRST = _names(
    "Olivia, Liam, Emma, Noah, Amelia, Oliver, Sophia, Elijah, Charlotte, James, Mia, "
    "Lucas, Harper, Mateo, Evelyn, Henry, Aisha, Omar, Fatima, Yusuf, Priya, Arjun, "
    "Ananya, Rohan, Chidi, Amara, Kwame, Ngozi, Thabo, Zanele, José, María, Lucía, "
    "Diego, Sofía, Javier, Camila, Joaquín, François, Chloé, Élodie, Théo, Jürgen, "
    "Björn, Zoë, Søren, Siobhán, Łukasz, Małgorzata, Ömer, Şule, Kateřina, Dorota, "
    "Giulia, Matteo, Francesca, Lorenzo, Inês, João, Thiago, Beatriz, Hương, Linh, "
    "Minh, Anh, Tuấn, Hiroshi, Aiko, Ingrid, Lars, Astrid, Magnus, Eero, Aino, Declan, "
    "Niamh, Rhys, Carys, Tomás, Andrés, Valentina, Ximena, Leila, Dario, Marek, Petra, "
    "Ivana"
)
LATIN_LAST = _names(
    "Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodríguez, Martínez, "
    "Hernández, López, González, Wilson, Anderson, Taylor, Thomas, Moore, Jackson, "
    "Martin, Lee, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young, Allen, "
    "King, Wright, Scott, Nguyen, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell, "
    "Pérez, Roberts, Turner, Phillips, Campbell, Parker, Müller, Schmidt, Schneider, "
    "Fischer, Weber, Dubois, Lefèvre, Moreau, Rossi, Russo, Ferrari, Bianchi, Silva, "
    "Santos, Oliveira, Kowalski, Nowak, Wiśniewska, Novák, Dvořák, Horváth, Yılmaz, "
    "Kaya, Öztürk, Andersson, Johansson, Nielsen, Hansen, Virtanen, Korhonen, O'Brien, "
    "Murphy, Kelly, Okafor, Adeyemi, Mensah, Dlamini, Patel, Sharma, Singh, Gupta, Khan, "
    "Haddad, Mansour, Cohen, Levi, Jansen, van der Berg, de Vries, Mac Giolla Bhríde"
)

# Names in other scripts, each with its usual Latin transliteration for the username.
# Cyrillic and Greek surnames take a feminine form: (masculine, feminine).
Names = tuple[tuple[str, str], ...]
CYRILLIC_FIRST_MALE: Names = (
    ("Алексей", "aleksei"),
    ("Дмитрий", "dmitrii"),
    ("Иван", "ivan"),
    ("Сергей", "sergei"),
    ("Олександр", "oleksandr"),
    ("Георги", "georgi"),
    ("Никола", "nikola"),
    ("Андрей", "andrei"),
)
CYRILLIC_FIRST_FEMALE: Names = (
    ("Мария", "maria"),
    ("Ольга", "olga"),
    ("Анна", "anna"),
    ("Наталья", "natalia"),
    ("Ірина", "iryna"),
    ("Елена", "elena"),
    ("Татьяна", "tatiana"),
    ("Светлана", "svetlana"),
)
CYRILLIC_LAST = (
    (("Иванов", "ivanov"), ("Иванова", "ivanova")),
    (("Петров", "petrov"), ("Петрова", "petrova")),
    (("Смирнов", "smirnov"), ("Смирнова", "smirnova")),
    (("Кузнецов", "kuznetsov"), ("Кузнецова", "kuznetsova")),
    (("Соколов", "sokolov"), ("Соколова", "sokolova")),
    (("Шевченко", "shevchenko"), ("Шевченко", "shevchenko")),
    (("Коваленко", "kovalenko"), ("Коваленко", "kovalenko")),
    (("Димитров", "dimitrov"), ("Димитрова", "dimitrova")),
)
GREEK_FIRST_MALE: Names = (
    ("Γιώργος", "giorgos"),
    ("Νίκος", "nikos"),
    ("Δημήτρης", "dimitris"),
    ("Κώστας", "kostas"),
    ("Γιάννης", "giannis"),
)
GREEK_FIRST_FEMALE: Names = (
    ("Μαρία", "maria"),
    ("Ελένη", "eleni"),
    ("Κατερίνα", "katerina"),
    ("Σοφία", "sofia"),
    ("Δέσποινα", "despoina"),
)
GREEK_LAST = (
    (("Παπαδόπουλος", "papadopoulos"), ("Παπαδοπούλου", "papadopoulou")),
    (("Παπαδάκης", "papadakis"), ("Παπαδάκη", "papadaki")),
    (("Οικονόμου", "oikonomou"), ("Οικονόμου", "oikonomou")),
    (("Γεωργίου", "georgiou"), ("Γεωργίου", "georgiou")),
    (("Νικολάου", "nikolaou"), ("Νικολάου", "nikolaou")),
    (("Βασιλείου", "vasileiou"), ("Βασιλείου", "vasileiou")),
)
CJK_NAMES = {
    "zh": (
        (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei")),
        (("晓明", "xiaoming"), ("子涵", "zihan"), ("婷", "ting"), ("洋", "yang")),
        (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen")),
        (("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("周", "zhou"), ("吴", "wu")),
    ),
    "ja": (
        (("陽翔", "haruto"), ("結衣", "yui"), ("蓮", "ren"), ("美咲", "misaki")),
        (("大翔", "hiroto"), ("さくら", "sakura"), ("健太", "kenta"), ("花子", "hanako")),
        (("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka")),
        (("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura")),
    ),
    "ko": (
        (("민준", "minjun"), ("서연", "seoyeon"), ("지우", "jiwoo"), ("하은", "haeun")),
        (("도윤", "doyun"), ("서준", "seojun"), ("지민", "jimin"), ("수아", "sua")),
        (("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi")),
        (("정", "jung"), ("강", "kang"), ("조", "cho"), ("윤", "yoon")),
    ),
}

_ASCII_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "đ": "d", "ı": "i"}
)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits of a Latin name: "Łukasz" -> "lukasz"."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return "".join(c for c in folded.lower() if c.isascii() and c.isalnum())


def random_name(rng: random.Random) -> tuple[str, str, str, str]:
    """(first name, last name, their Latin forms for the username)."""
    script = rng.random()
    if script < 0.75:
        first, last = rng.choice(LATIN_FIRST), rng.choice(LATIN_LAST)
        return first, last, ascii_slug(first), ascii_slug(last)
    if script < 0.88:
        feminine = rng.random() < 0.5
        if script < 0.83:
            firsts = CYRILLIC_FIRST_FEMALE if feminine else CYRILLIC_FIRST_MALE
            surname = rng.choice(CYRILLIC_LAST)[feminine]
        else:
            firsts = GREEK_FIRST_FEMALE if feminine else GREEK_FIRST_MALE
            surname = rng.choice(GREEK_LAST)[feminine]
        given = rng.choice(firsts)
        return given[0], surname[0], given[1], surname[1]
    firsts_a, firsts_b, lasts_a, lasts_b = CJK_NAMES[rng.choice(("zh", "zh", "ja", "ko"))]
    given = rng.choice((*firsts_a, *firsts_b))
    family = rng.choice((*lasts_a, *lasts_b))
    return given[0], family[0], given[1], family[1]
