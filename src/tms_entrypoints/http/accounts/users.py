"""/users: the user directory and its management."""

from __future__ import annotations

from typing import Annotated, cast

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from tms_domain.accounts import Actor, UserChanges
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.accounts.use_cases.links import PasswordLinkService
from tms_domain.accounts.use_cases.users import NewUser, UserService
from tms_domain.kernel import Page, Role
from tms_entrypoints.http.accounts.schemas import (
    LockoutOut,
    UserCreateIn,
    UserCreateOut,
    UserOut,
    UserUpdateIn,
)
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MAX_ID, MessageOut, RoleName, iso

UserId = Id


class UsersController(Controller):
    path = "/users"
    tags = ["users"]

    @get("/", operation_id="listUsers", responses=ERROR_RESPONSES)
    async def list_users(
        self,
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
        skip: Skip = 0,
        limit: Limit = 100,
        role: Annotated[RoleName | None, QueryParameter()] = None,
    ) -> list[UserOut]:
        """Every user, by id (admins and trainers); `role` filters before paging."""
        # The read side's views (persistence/views.py: UserView), which encode as UserOut
        # does, byte for byte (tests/contract/test_views.py), built straight from the rows.
        views = await users.list_user_views(actor, Page(skip, limit), Role(role) if role else None)
        return cast("list[UserOut]", views)

    @get("/{user_id:int}", operation_id="getUser", responses=ERROR_RESPONSES)
    async def get_user(
        self, user_id: UserId, actor: NamedDependency[Actor], users: NamedDependency[UserService]
    ) -> UserOut:
        """One user: admins and trainers read anyone, others only themselves."""
        return UserOut.of(await users.get_user(actor, user_id))

    @post("/", operation_id="createUser", status_code=201, responses=ERROR_RESPONSES)
    async def create_user(
        self,
        data: JSONBody[UserCreateIn],
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
    ) -> UserCreateOut:
        """Create an account (admins). Without `password` the server generates a strong
        temporary one, returned once as `temporary_password`; with `invite: true` it is
        never shown: the user is mailed a link to choose their password (72 h)."""
        created = await users.create_user(
            actor,
            NewUser(
                username=data.username,
                email=data.email,
                first_name=data.first_name,
                last_name=data.last_name,
                role=Role(data.role),
                password=data.password,
                is_temporary_password=data.is_temporary_password,
                invite=data.invite,
            ),
        )
        if created.invited:
            message = f"User created: an invitation is on its way to {created.user.email}"
        elif created.user.is_temporary_password:
            message = (
                "User created: give them the temporary password, they must change it at first"
                " sign-in"
            )
        else:
            message = "User created"
        return UserCreateOut(
            user=UserOut.of(created.user),
            message=message,
            temporary_password=created.temporary_password,
        )

    @put("/{user_id:int}", operation_id="updateUser", responses=ERROR_RESPONSES)
    async def update_user(
        self,
        user_id: UserId,
        data: JSONBody[UserUpdateIn],
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
    ) -> UserOut:
        """Admins change any field of others; everyone changes their own names, email and
        username (role and temporary flag only unchanged)."""
        changes = UserChanges(
            username=data.username,
            email=data.email,
            first_name=data.first_name,
            last_name=data.last_name,
            role=Role(data.role) if data.role else None,
            password=data.password,
            is_temporary_password=data.is_temporary_password,
        )
        return UserOut.of(await users.update_user(actor, user_id, changes))

    @delete("/{user_id:int}", operation_id="deleteUser", status_code=200, responses=ERROR_RESPONSES)
    async def delete_user(
        self,
        user_id: UserId,
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
        reassign_to: Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)] = None,
        cascade: Annotated[bool, QueryParameter()] = False,
    ) -> MessageOut:
        """Delete a user (admins, not themselves). Someone who trains sessions needs
        `reassign_to=<trainer id>` or `cascade=true`."""
        await users.delete_user(actor, user_id, reassign_to=reassign_to, cascade=cascade)
        return MessageOut("User deleted")

    @post(
        "/{user_id:int}/unlock",
        operation_id="unlockUser",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def unlock_user(
        self, user_id: UserId, actor: NamedDependency[Actor], auth: NamedDependency[AuthService]
    ) -> MessageOut:
        """Admins lift a sign-in lockout (after repeated failed sign-ins)."""
        await auth.unlock(actor, user_id)
        return MessageOut("Sign-in lockout lifted")

    @post(
        "/{user_id:int}/invite",
        operation_id="inviteUser",
        status_code=202,
        responses=ERROR_RESPONSES,
    )
    async def invite_user(
        self,
        user_id: UserId,
        actor: NamedDependency[Actor],
        password_links: NamedDependency[PasswordLinkService],
    ) -> MessageOut:
        """Admins mail a user a new invitation: a link to choose their password (72 h, once).
        Earlier invitations stop working."""
        user = await password_links.invite(actor, user_id)
        return MessageOut(f"An invitation is on its way to {user.email}")

    @get("/{user_id:int}/lockout", operation_id="getUserLockout", responses=ERROR_RESPONSES)
    async def get_lockout(
        self, user_id: UserId, actor: NamedDependency[Actor], auth: NamedDependency[AuthService]
    ) -> LockoutOut:
        """Admins see failed sign-ins in a row and until when the account is locked."""
        failures, until = await auth.lockout(actor, user_id)
        return LockoutOut(
            user_id=user_id,
            failures=failures,
            locked=until is not None,
            locked_until=iso(until) if until else None,
        )
