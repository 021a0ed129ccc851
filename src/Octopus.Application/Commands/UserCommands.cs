using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Configuration;

namespace Octopus.Application.Commands;

/// <summary>What administrators ask of user accounts: create them, set their quotas.</summary>
public sealed class UserCommands(OctopusDbContext db, CommandRunner runner, Identity.IPasswordHasher hasher, Microsoft.Extensions.Options.IOptions<QuotaOptions> defaultQuota, TimeProvider time)
{
    public const int MinPasswordLength = 8;

    public Task<User> CreateAsync(Caller caller, UserCreateRequest? request, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserCreate, $"user/{request?.Username}", async ct =>
        {
            if (request is null) throw DomainException.Invalid("body", "The request body is empty; send {username, password, role}.");
            var name = UserName.Parse(request.Username);
            CheckPassword(request.Password);
            var role = (request.Role ?? "user").ToLowerInvariant() switch
            {
                "user" => UserRole.User,
                "admin" => UserRole.Admin,
                _ => throw DomainException.Invalid("role", $"'{request.Role}' is not a role; use user or admin."),
            };
            if (await db.Users.AnyAsync(u => u.Name == name, ct))
                throw DomainException.Conflict("user.duplicate", $"A user named '{name}' already exists.");
            var quota = request.Quota is null ? (role == UserRole.Admin ? Quota.Unlimited : defaultQuota.Value.ToQuota()) : ToQuota(request.Quota);
            var user = User.Create(name, role, "", quota, time.GetUtcNow());
            user.SetPasswordHash(hasher.HashPassword(user, request.Password));
            db.Users.Add(user);
            return user;
        }, ct, u => $"role {u.Role}");

    public Task<User> SetQuotaAsync(Caller caller, string username, QuotaDto? quota, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserQuota, $"user/{username}", async ct =>
        {
            if (quota is null) throw DomainException.Invalid("body", "Send a quota: {maxCores, maxMemoryBytes, maxDiskBytes, maxVms} (null = unlimited).");
            var name = UserName.Parse(username);
            var user = await db.Users.FirstOrDefaultAsync(u => u.Name == name, ct) ?? throw DomainException.NotFound("User", username);
            user.SetQuota(ToQuota(quota));
            return user;
        }, ct, u => u.Quota.ToString());

    /// <summary>The password rule; a refusal names <paramref name="field"/>, the request field that carried it.</summary>
    public static void CheckPassword(string? password, string field = "password")
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
            throw DomainException.Invalid(field, $"The password must have at least {MinPasswordLength} characters.");
        if (password.Length > 256) throw DomainException.Invalid(field, "The password must have at most 256 characters.");
    }

    public static Quota ToQuota(QuotaDto q) => Quota.Create(q.MaxCores,
        q.MaxMemoryBytes is { } m ? new ByteSize(m) : null, q.MaxDiskBytes is { } d ? new ByteSize(d) : null, q.MaxVms);
}
