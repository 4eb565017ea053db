"""Skills, assessments, certificates and achievements: what a learner can do, proven.

A catalogue of skills and each user's levels (awarded by completed courses, passed
assessments or a trainer's hand); assessments as lessons, with attempts graded
automatically where they can be and by a trainer where they cannot; certificates issued
when a course is completed, verifiable by anyone and kept current by recertification; and
the milestones a learner reaches. Other areas import this module only; its use cases live
in ``use_cases``."""

# The skills catalogue (skills, users' levels, course grants, awarding):
from tms_domain.skills.achievements import Achievement as Achievement
from tms_domain.skills.achievements import AchievementKind as AchievementKind
from tms_domain.skills.assessments import Answer as Answer
from tms_domain.skills.assessments import Attempt as Attempt
from tms_domain.skills.assessments import QuestionStatistics as QuestionStatistics
from tms_domain.skills.awarding import award_skills as award_skills
from tms_domain.skills.awarding import course_skills as course_skills
from tms_domain.skills.awarding import set_course_skills as set_course_skills
from tms_domain.skills.catalogue import MAX_LEVEL as MAX_LEVEL
from tms_domain.skills.catalogue import MIN_LEVEL as MIN_LEVEL
from tms_domain.skills.catalogue import MatrixQuery as MatrixQuery
from tms_domain.skills.catalogue import Skill as Skill
from tms_domain.skills.catalogue import SkillFields as SkillFields
from tms_domain.skills.catalogue import SkillQuery as SkillQuery
from tms_domain.skills.catalogue import SkillSource as SkillSource
from tms_domain.skills.catalogue import UserSkill as UserSkill
from tms_domain.skills.certificates import EXPIRING_WITHIN as EXPIRING_WITHIN
from tms_domain.skills.certificates import Certificate as Certificate
from tms_domain.skills.certificates import CertificateStatus as CertificateStatus
from tms_domain.skills.certificates import ComplianceStatus as ComplianceStatus
from tms_domain.skills.events_achieve import AchievementAwarded as AchievementAwarded
from tms_domain.skills.events_assess import AttemptGraded as AttemptGraded
from tms_domain.skills.events_assess import AttemptSubmitted as AttemptSubmitted
from tms_domain.skills.events_certs import CertificateIssued as CertificateIssued
from tms_domain.skills.events_certs import CertificateRenewed as CertificateRenewed
from tms_domain.skills.events_certs import CertificateRevoked as CertificateRevoked
from tms_domain.skills.events_skills import SkillAwarded as SkillAwarded
from tms_domain.skills.events_skills import SkillChanged as SkillChanged
from tms_domain.skills.events_skills import SkillCreated as SkillCreated
from tms_domain.skills.events_skills import SkillDeleted as SkillDeleted
from tms_domain.skills.ports_achieve import AchievementRepository as AchievementRepository
from tms_domain.skills.ports_achieve import ActivityTimeline as ActivityTimeline
from tms_domain.skills.ports_achieve import AttendanceFacts as AttendanceFacts
from tms_domain.skills.ports_assess import AttemptQuery as AttemptQuery
from tms_domain.skills.ports_assess import AttemptRepository as AttemptRepository
from tms_domain.skills.ports_skills import CourseSkillRepository as CourseSkillRepository
from tms_domain.skills.ports_skills import SkillMatrixQueries as SkillMatrixQueries
from tms_domain.skills.ports_skills import SkillRepository as SkillRepository
from tms_domain.skills.ports_skills import UserSkillRepository as UserSkillRepository
