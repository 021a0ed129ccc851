namespace Octopus.Domain;

/// <summary>What kind of rule a rejected request broke; the API maps each kind to one HTTP status.</summary>
public enum ErrorKind
{
    /// <summary>The request itself is malformed or out of range (400).</summary>
    Validation,
    /// <summary>Caller is not authenticated (401).</summary>
    Unauthenticated,
    /// <summary>Caller may not do this (403).</summary>
    Forbidden,
    /// <summary>The thing does not exist, or the caller may not see it (404).</summary>
    NotFound,
    /// <summary>The request conflicts with current state: illegal transition, duplicate name (409).</summary>
    Conflict,
    /// <summary>The request would exceed the owner's quota (403 with the figures).</summary>
    QuotaExceeded,
}

/// <summary>A request broke a domain rule. <see cref="Exception.Message"/> says what was wrong and what to do;
/// <see cref="Field"/> names the offending input field when there is one.</summary>
public sealed class DomainException : Exception
{
    public DomainException(ErrorKind kind, string code, string message, string? field = null) : base(message)
    {
        Kind = kind;
        Code = code;
        Field = field;
    }

    public ErrorKind Kind { get; }

    /// <summary>Stable machine-readable code, e.g. <c>vm.illegal-transition</c>.</summary>
    public string Code { get; }

    public string? Field { get; }

    public static DomainException Invalid(string field, string message) => new(ErrorKind.Validation, "validation", message, field);
    public static DomainException NotFound(string what, string key) => new(ErrorKind.NotFound, "not-found", $"{what} '{key}' was not found.");
    public static DomainException Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);
}
