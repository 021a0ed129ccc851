using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Identity;

/// <summary>A user account's life after creation: password change (self) and reset (admin), disable and enable, delete
/// (refused while the user owns VMs unless they are transferred or deleted). Every one is a command: authorised and
/// audited by <see cref="CommandRunner"/>.</summary>
public sealed class UserLifecycleCommands(OctopusDbContext db, CommandRunner runner, PasswordHashing hashing, VmCommands vms, TimeProvider time,
    Auth.TokenCache tokens)
{
    /// <summary>Changes the caller's own password after checking the current one; every other login token and
    /// session of theirs ends (personal tokens stay: they are revoked one by one).</summary>
    public Task<bool> ChangeOwnAsync(Caller caller, string? currentToken, PasswordChangeRequest? request, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserPassword, $"user/{caller.Name}", async ct =>
        {
            if (request is null) throw DomainException.Invalid("body", "Send {currentPassword, newPassword}.");
            var user = await db.Users.FirstAsync(u => u.Id == caller.Id, ct);
            if (!user.IsLocal) user.SetPasswordHash(""); // throws: a directory user changes it in the directory
            if (!await hashing.VerifyAsync(user, request.CurrentPassword ?? "", ct))
                throw DomainException.Invalid("currentPassword", "The current password is wrong; nothing was changed.");
            UserCommands.CheckPassword(request.NewPassword, "newPassword");
            if (request.NewPassword == request.CurrentPassword)
                throw DomainException.Invalid("newPassword", "The new password must differ from the current one.");
            user.SetPasswordHash(await hashing.HashAsync(user, request.NewPassword, ct));
            var keep = currentToken is null ? "" : TokenService.Hash(currentToken);
            await EndLoginsAsync(user.Id, ct, keep);
            return true;
        }, ct);

    /// <summary>Sets a user's password (admin); all their login tokens and sessions end.</summary>
    public Task<User> ResetAsync(Caller caller, string username, PasswordResetRequest? request, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserPasswordReset, $"user/{username}", async ct =>
        {
            if (request is null) throw DomainException.Invalid("body", "Send {newPassword}.");
            var user = await FindAsync(username, ct);
            UserCommands.CheckPassword(request.NewPassword, "newPassword");
            user.SetPasswordHash(await hashing.HashAsync(user, request.NewPassword, ct));
            await EndLoginsAsync(user.Id, ct);
            return user;
        }, ct);

    /// <summary>Disables a user (admin): no login, and every token and session they hold is refused from the next
    /// request on (<see cref="TokenService.ResolveAsync"/> checks it); login tokens and sessions are also deleted.</summary>
    public Task<User> DisableAsync(Caller caller, string username, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserDisable, $"user/{username}", async ct =>
        {
            var user = await FindAsync(username, ct);
            if (user.Id == caller.Id) throw DomainException.Conflict("user.self", "You cannot disable yourself; ask another administrator.");
            if (user.IsAdmin && !await db.Users.AnyAsync(u => u.Role == UserRole.Admin && u.Id != user.Id && u.DisabledAt == null, ct))
                throw DomainException.Conflict("user.last-admin", $"'{user.Name}' is the last enabled administrator; enable or create another first.");
            user.Disable(time.GetUtcNow());
            await EndLoginsAsync(user.Id, ct);
            return user;
        }, ct);

    public Task<User> EnableAsync(Caller caller, string username, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserEnable, $"user/{username}", async ct =>
        {
            var user = await FindAsync(username, ct);
            user.Enable();
            return user;
        }, ct);

    /// <summary>Deletes a user (admin). While they own VMs it is refused (409 <c>user.has-vms</c>) unless
    /// <paramref name="transferTo"/> names who gets them (with their policies) or <paramref name="deleteVms"/> is set.
    /// Deleting VMs goes through the operations journal like any VM delete, so the user is disabled and the answer is
    /// a <see cref="UserDeletionDto"/> (202) until the VMs are gone; the same call then deletes the user.</summary>
    public async Task<UserDeletionDto?> DeleteAsync(Caller caller, string username, string? transferTo, bool deleteVms, CancellationToken ct)
    {
        List<string> toDelete = [];
        var result = await runner.RunAsync(caller, Permissions.UserDelete, $"user/{username}", async ct =>
        {
            if (transferTo is not null && deleteVms)
                throw DomainException.Invalid("transferTo", "Choose one: transfer the user's VMs (transferTo) or delete them (deleteVms).");
            var user = await FindAsync(username, ct);
            if (user.Id == caller.Id) throw DomainException.Conflict("user.self", "You cannot delete yourself; ask another administrator.");
            if (user.IsAdmin && !await db.Users.AnyAsync(u => u.Role == UserRole.Admin && u.Id != user.Id && u.DisabledAt == null, ct))
                throw DomainException.Conflict("user.last-admin", $"'{user.Name}' is the last enabled administrator; create another first.");
            var owned = await db.Vms.Where(v => v.OwnerId == user.Id).ToListAsync(ct);
            if (owned.Count > 0 && transferTo is not null)
            {
                var heir = await FindAsync(transferTo, ct, "transferTo");
                if (heir.Id == user.Id) throw DomainException.Invalid("transferTo", "Transfer the VMs to another user.");
                await Commands.OwnerQuota.ClaimAsync(db, heir.Id, ct); // the heir's concurrent creates see the transferred names and usage
                var names = owned.Select(v => v.Name).ToHashSet();
                var clash = await db.Vms.AsNoTracking().Where(v => v.OwnerId == heir.Id).Select(v => v.Name).ToListAsync(ct);
                var clashing = clash.Where(names.Contains).Select(n => n.Value).Order().ToList();
                if (clashing.Count > 0)
                    throw DomainException.Conflict("user.transfer-clash", $"'{heir.Name}' already has VM(s) named {string.Join(", ", clashing)}; rename or delete them first.");
                foreach (var vm in owned) vm.TransferTo(heir.Id);
                await db.Policies.Where(p => p.Owner == user.Name.Value).ExecuteUpdateAsync(s => s.SetProperty(p => p.Owner, heir.Name.Value), ct);
                owned.Clear();
            }
            if (owned.Count > 0)
            {
                if (!deleteVms)
                    throw DomainException.Conflict("user.has-vms",
                        $"'{user.Name}' owns {owned.Count} VM(s) ({string.Join(", ", owned.Select(v => v.Name.Value).Order().Take(10))}); " +
                        "transfer them (--transfer-to USER) or delete them (--delete-vms) with the user.");
                user.Disable(time.GetUtcNow());
                await EndLoginsAsync(user.Id, ct);
                toDelete.AddRange(owned.Where(v => v.Spec != VmPowerSpec.Deleted).Select(v => v.Id.ToString()));
                return new UserDeletionDto(user.Name.Value, owned.Count,
                    $"Deleting {owned.Count} VM(s) of '{user.Name}' (the account is disabled meanwhile); run the delete again once they are gone.");
            }
            await db.Policies.Where(p => p.Owner == user.Name.Value).ExecuteDeleteAsync(ct);
            db.Users.Remove(user); // tokens go with it (cascade)
            return null;
        }, ct, r => r is null ? "deleted" : $"{r.VmsBeingDeleted} VM(s) being deleted first");
        foreach (var vm in toDelete) await vms.DeleteAsync(Caller.System, vm, ct); // each its own journaled command
        return result;
    }

    private async Task<User> FindAsync(string username, CancellationToken ct, string field = "name")
    {
        var name = UserName.Parse(username, field);
        return await db.Users.FirstOrDefaultAsync(u => u.Name == name, ct) ?? throw DomainException.NotFound("User", username);
    }

    /// <summary>Deletes the user's login tokens and web sessions (not personal tokens), except <paramref name="keepHash"/>.</summary>
    /// <remarks>A bulk delete, which the save's <see cref="Auth.TokenCacheInvalidator"/> does not see: the user's cached
    /// tokens are forgotten here (the command's save, changing the user, forgets them again once committed).</remarks>
    private async Task<int> EndLoginsAsync(UserId user, CancellationToken ct, string keepHash = "")
    {
        var ended = await db.ApiTokens.Where(t => t.UserId == user && t.Kind != TokenService.PersonalKind && t.TokenHash != keepHash).ExecuteDeleteAsync(ct);
        tokens.ForgetUser(user);
        return ended;
    }
}
