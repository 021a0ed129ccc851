using Octopus.Domain;

namespace Octopus.Application.Auth;

/// <summary>Who may run a command or query.</summary>
public enum Access
{
    /// <summary>Any signed-in user, on what is theirs: the target is found through an owner-scoped lookup
    /// (<see cref="Commands.VmLookup"/>, the caller's own profile), which answers "not found" for another user's
    /// things; administrators act on everything.</summary>
    Owner,

    /// <summary>Administrators only (an admin's token without the <c>admin</c> scope acts as an ordinary user).</summary>
    Admin,
}

/// <summary>One command's or query's authorisation, declared once in <see cref="Permissions"/>: the action name the audit
/// log records, who may run it, and what a refusal says they tried ("Only administrators may PURPOSE.").
/// <see cref="Commands.CommandRunner"/> checks it before the command's body runs and audits a refusal like any other.</summary>
public sealed record Permission(string Action, Access Access, string Purpose)
{
    /// <summary>Throws the 403 problem when <paramref name="caller"/> may not do this.</summary>
    public void Authorize(Caller caller)
    {
        if (Access == Access.Admin && !caller.IsAdmin)
            throw new DomainException(ErrorKind.Forbidden, "auth.admin-only", $"Only administrators may {Purpose}.",
                args: new Dictionary<string, object> { ["action"] = Action });
    }

    public override string ToString() => $"{Action} ({Access})";
}
