"""Reads the QR code out of a certificate PDF, as a scanner pointed at it would: the
browser scenario web/e2e/certificates.ts runs it on the PDF the trainee downloaded and
opens the URL it prints. Usage: ``python tests/browser/qr_from_pdf.py certificate.pdf``."""

from __future__ import annotations

import sys
from pathlib import Path

import pypdf
import zxingcpp


def urls_in(pdf: Path) -> list[str]:
    """The text of every QR code in the PDF's images, page by page."""
    found: list[str] = []
    for page in pypdf.PdfReader(pdf).pages:
        for image in page.images:
            found += [
                code.text
                for code in zxingcpp.read_barcodes(image.image)
                if code.format == zxingcpp.BarcodeFormat.QRCode
            ]
    return found


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = urls_in(Path(sys.argv[1]))
    if len(found) != 1:
        print(f"expected one QR code, found {len(found)}: {found}", file=sys.stderr)
        return 1
    print(found[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
