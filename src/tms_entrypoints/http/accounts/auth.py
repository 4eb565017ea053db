"""POST /auth/*: sign-in, sign-out, passwords."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from tms_domain.accounts import Actor
from tms_domain.accounts.use_cases.auth import AuthService
from tms_entrypoints.http.accounts.schemas import (
    ChangePasswordIn,
    LoginIn,
    LoginOut,
    NewPasswordIn,
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
