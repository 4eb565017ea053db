"""/certificates, /verify and /compliance: certificates issued on completing a course,
their PDFs, revoking and renewing them, public verification of a code, and who holds a
current certificate of each course that requires one."""

from __future__ import annotations

import asyncio
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from tms_adapters.reports import compliance_files
from tms_adapters.reports.certificate_pdf import FpdfCertificateRenderer
from tms_domain.accounts import Actor
from tms_domain.kernel import BadRequest, NotFound, Page
from tms_domain.skills import CertificateStatus, ComplianceStatus
from tms_domain.skills.use_cases.certificates import CERTIFICATE_NOT_FOUND, CertificateService
from tms_domain.skills.use_cases.compliance import ComplianceService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.files import file_operation
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MAX_ID
from tms_entrypoints.http.skills.certificate_schemas import (
    CertificateOut,
    CertificateStatusName,
    ComplianceRowOut,
    ComplianceStatusName,
    VerificationOut,
)

PDF_SUFFIX = ".pdf"


PdfOperation = file_operation(["application/pdf"])
"""A certificate in the OpenAPI document as the PDF file it is."""

ComplianceFileOperation = file_operation(
    sorted({kind.split(";")[0] for kind in compliance_files.MEDIA_TYPES.values()})
)
"""The compliance report in the OpenAPI document as the file it is, in each format."""


FilterId = Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)]
CertificateFile = Annotated[
    str, PathParameter(max_length=40, description="the certificate's id, then `.pdf`")
]
Code = Annotated[
    str, PathParameter(max_length=64, description="the code printed on the certificate")
]


class CertificatesController(Controller):
    path = "/certificates"
    tags = ["certificates"]

    @get("/", operation_id="listCertificates", responses=ERROR_RESPONSES)
    async def list_certificates(
        self,
        actor: NamedDependency[Actor],
        certificates: NamedDependency[CertificateService],
        skip: Skip = 0,
        limit: Limit = 100,
        course_id: FilterId = None,
        trainee_id: FilterId = None,
        status: Annotated[CertificateStatusName | None, QueryParameter()] = None,
    ) -> list[CertificateOut]:
        """The caller's certificates; admins: everyone's (`trainee_id` names one holder).
        Newest first; `status` as it is now."""
        found = await certificates.list_certificates(
            actor,
            Page(skip, limit),
            course_id=course_id,
            trainee_id=trainee_id,
            status=CertificateStatus(status) if status else None,
        )
        now = certificates.now()
        return [CertificateOut.of(certificate, now) for certificate in found]

    @get(
        "/{certificate_file:str}",
        operation_id="getCertificatePdf",
        media_type="application/pdf",
        responses=ERROR_RESPONSES,
        operation_class=PdfOperation,
    )
    async def certificate_pdf(
        self,
        certificate_file: CertificateFile,
        actor: NamedDependency[Actor],
        certificates: NamedDependency[CertificateService],
        certificate_renderer: NamedDependency[FpdfCertificateRenderer],
    ) -> Response[bytes]:
        """`GET /certificates/{id}.pdf`: the certificate as a PDF, with the learner, the
        course, the date, the code and a QR code of its public verification URL. Admins,
        its holder and the holder's trainers; anyone else: 404."""
        number = certificate_file.removesuffix(PDF_SUFFIX)
        if not certificate_file.endswith(PDF_SUFFIX) or not number.isdigit():
            raise NotFound(CERTIFICATE_NOT_FOUND)
        if not 0 < int(number) <= MAX_ID:
            raise NotFound(CERTIFICATE_NOT_FOUND)
        certificate = await certificates.get_certificate(actor, int(number))
        body = await asyncio.to_thread(certificate_renderer.render, certificate)
        return Response(
            body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="certificate-{certificate.id}.pdf"',
                "Cache-Control": "private, no-store",
            },
        )

    @post(
        "/{certificate_id:int}/revoke",
        operation_id="revokeCertificate",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def revoke(
        self,
        certificate_id: Id,
        actor: NamedDependency[Actor],
        certificates: NamedDependency[CertificateService],
    ) -> CertificateOut:
        """Admins. Already revoked: 409. Its code then verifies as `valid: false`."""
        certificate = await certificates.revoke(actor, certificate_id)
        return CertificateOut.of(certificate, certificates.now())

    @post(
        "/{certificate_id:int}/renew",
        operation_id="renewCertificate",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def renew(
        self,
        certificate_id: Id,
        actor: NamedDependency[Actor],
        certificates: NamedDependency[CertificateService],
    ) -> CertificateOut:
        """Admins and the holder's trainers. The trainee is enrolled in the course again
        from the start (their completions of it cleared); completing it issues a new
        certificate. Renewed already: 409; the course not published: 409."""
        certificate = await certificates.renew(actor, certificate_id)
        return CertificateOut.of(certificate, certificates.now())


@get(
    "/verify/{code:str}",
    operation_id="verifyCertificate",
    tags=["certificates"],
    responses=ERROR_RESPONSES,
)
async def verify_certificate(
    code: Code, certificates: NamedDependency[CertificateService]
) -> VerificationOut:
    """Anyone, without signing in: whether the certificate with this code stands, the
    trainee's name, the course's title and when it was issued; no other personal data. A
    code no certificate has: 404 (after the same work as one that exists)."""
    return VerificationOut.of(await certificates.verify(code))


@get("/compliance", operation_id="listCompliance", tags=["certificates"], responses=ERROR_RESPONSES)
async def list_compliance(
    actor: NamedDependency[Actor],
    compliance: NamedDependency[ComplianceService],
    skip: Skip = 0,
    limit: Limit = 100,
    course_id: FilterId = None,
    batch_id: FilterId = None,
    trainer_id: FilterId = None,
    status: Annotated[ComplianceStatusName | None, QueryParameter()] = None,
) -> list[ComplianceRowOut]:
    """Admins: every trainee; trainers: their assigned trainees. One row per trainee and
    course that requires a certificate (`certificate_valid_months`), with the status of
    their latest certificate as it is now (`missing`: none issued yet). `trainer_id`: only
    the trainees assigned to that trainer."""
    rows = await compliance.rows(
        actor,
        Page(skip, limit),
        course_id=course_id,
        batch_id=batch_id,
        trainer_id=trainer_id,
        status=ComplianceStatus(status) if status else None,
    )
    return [ComplianceRowOut.of(row) for row in rows]


REPORT_FORMATS = {"csv": "csv", "excel": "xlsx", "xlsx": "xlsx", "pdf": "pdf"}


@get(
    "/compliance/report",
    operation_id="getComplianceReport",
    tags=["certificates"],
    responses=ERROR_RESPONSES,
    operation_class=ComplianceFileOperation,
)
async def compliance_report(
    actor: NamedDependency[Actor],
    compliance: NamedDependency[ComplianceService],
    format: Annotated[
        str, QueryParameter(max_length=10, description="csv, excel (xlsx) or pdf")
    ] = "csv",
    course_id: FilterId = None,
    batch_id: FilterId = None,
    trainer_id: FilterId = None,
    status: Annotated[ComplianceStatusName | None, QueryParameter()] = None,
) -> Response[bytes]:
    """The compliance rows (as `GET /compliance/`, every page) as a file to download:
    `compliance-YYYYMMDD.<csv|xlsx|pdf>`. Unknown format: 400."""
    kind = REPORT_FORMATS.get(format.strip().lower())
    if kind is None:
        raise BadRequest(f"Unknown report format {format!r}: choose csv, excel or pdf")
    rows = await compliance.report(
        actor,
        course_id=course_id,
        batch_id=batch_id,
        trainer_id=trainer_id,
        status=ComplianceStatus(status) if status else None,
    )
    today = compliance.now().date()
    title = f"Certificate compliance on {today.isoformat()}"
    body = await asyncio.to_thread(compliance_files.render, kind, rows, title)
    return Response(
        body,
        media_type=compliance_files.MEDIA_TYPES[kind],
        headers={
            "Content-Disposition": (
                f'attachment; filename="compliance-{today.strftime("%Y%m%d")}.{kind}"'
            ),
            "Cache-Control": "private, no-store",
        },
    )
