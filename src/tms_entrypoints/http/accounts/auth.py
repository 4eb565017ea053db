"""POST /auth/*: sign-in, sign-out, passwords."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from tms_domain.accounts import Actor
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.accounts.use_cases.links import RESET_LINK_ANSWER, PasswordLinkService
from tms_entrypoints.http.accounts.schemas import (
    ChangePasswordIn,
    ForgotPasswordIn,
    LoginIn,
    LoginOut,
    NewPasswordIn,
    SetPasswordIn,
    UserOut,
)
from tms_entrypoints.http.deps import client_address
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id
from tms_entrypoints.http.schemas import MessageOut


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/login", operation_id="login", status_code=200, responses=ERROR_RESPONSES)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        auth: NamedDependency[AuthService],
    ) -> LoginOut:
        """Sign in with a username (or email) and password. A temporary password signs in
        with `force_password_change: true`: that sign-in may then only change the password."""
        signed_in = await auth.sign_in(data.username, data.password, client_address(request))
        return LoginOut(
            access_token=signed_in.access_token,
            user=UserOut.of(signed_in.user),
            force_password_change=signed_in.force_password_change,
        )

    @post(
        "/change-password",
        operation_id="changePassword",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def change_password(
        self,
        data: JSONBody[ChangePasswordIn],
        actor: NamedDependency[Actor],
        auth: NamedDependency[AuthService],
    ) -> MessageOut:
        """Change your own password. `current_password` is required unless your password is
        temporary. Your other sign-ins end; this one goes on."""
        await auth.change_password(actor, data.current_password, data.new_password)
        return MessageOut("Password changed successfully")

    @post(
        "/admin-change-password",
        operation_id="adminChangePassword",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def admin_change_password(
        self,
        data: JSONBody[NewPasswordIn],
        actor: NamedDependency[Actor],
        auth: NamedDependency[AuthService],
    ) -> MessageOut:
        """An admin sets their own password."""
        await auth.change_admin_password(actor, data.new_password)
        return MessageOut("Password changed successfully")

    @post(
        "/reset-password/{user_id:int}",
        operation_id="resetPassword",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def reset_password(
        self,
        user_id: Id,
        data: JSONBody[NewPasswordIn],
        actor: NamedDependency[Actor],
        auth: NamedDependency[AuthService],
    ) -> MessageOut:
        """An admin gives a user a new temporary password; the user's sign-ins end."""
        await auth.reset_password(actor, user_id, data.new_password)
        return MessageOut("Password reset: the user must change it at the next sign-in")

    @post(
        "/forgot-password",
        operation_id="forgotPassword",
        status_code=202,
        responses=ERROR_RESPONSES,
    )
    async def forgot_password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ForgotPasswordIn],
        password_links: NamedDependency[PasswordLinkService],
    ) -> MessageOut:
        """Ask for a link to set a new password (1 h, once). The answer is the same, and
        takes as long, whether or not an account uses the address; the mail goes to the
        address only when one does. Limited per client address and per e-mail address
        (429 with `Retry-After`)."""
        await password_links.forgot_password(data.email, client_address(request))
        return MessageOut(RESET_LINK_ANSWER)

    @post(
        "/set-password",
        operation_id="setPassword",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def set_password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SetPasswordIn],
        password_links: NamedDependency[PasswordLinkService],
    ) -> MessageOut:
        """Set the password with the token of an invitation (72 h) or reset link (1 h). The
        token works once; a used, replaced or expired one answers 400 saying which. Every
        sign-in of the account ends; sign in with the new password."""
        await password_links.set_password(data.token, data.new_password, client_address(request))
        return MessageOut("Password set: sign in with it")

    @post("/logout", operation_id="logout", status_code=200, responses=ERROR_RESPONSES)
    async def logout(
        self, actor: NamedDependency[Actor], auth: NamedDependency[AuthService]
    ) -> MessageOut:
        """End this sign-in: its token stops working."""
        await auth.sign_out(actor)
        return MessageOut("Signed out")

    @post("/logout-all", operation_id="logoutAll", status_code=200, responses=ERROR_RESPONSES)
    async def logout_all(
        self, actor: NamedDependency[Actor], auth: NamedDependency[AuthService]
    ) -> MessageOut:
        """End every sign-in of yours, this one included."""
        ended = await auth.sign_out_everywhere(actor)
        return MessageOut(f"Signed out of {ended} sign-in(s)")
