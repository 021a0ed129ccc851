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

/// <summary>A request broke a domain rule. <see cref="Exception.Message"/> says what was wrong and what to do (in
/// English, for API and CLI users); <see cref="Field"/> names the offending input field when there is one;
/// <see cref="Args"/> holds the message's facts by name, so a client can say the same in its user's language from
/// <see cref="Code"/> (the web UI's catalogue does).</summary>
public sealed class DomainException : Exception
{
    public DomainException(ErrorKind kind, string code, string message, string? field = null, IReadOnlyDictionary<string, object>? args = null)
        : base(message)
    {
        Kind = kind;
        Code = code;
        Field = field;
        Args = args ?? NoArgs;
    }

    private static readonly IReadOnlyDictionary<string, object> NoArgs = new Dictionary<string, object>();

    public ErrorKind Kind { get; }

    /// <summary>Stable machine-readable code, e.g. <c>vm.illegal-transition</c>.</summary>
    public string Code { get; }

    public string? Field { get; }

    /// <summary>The facts the message states, by name (strings and numbers), e.g. <c>{name: "web1", state: "Running"}</c>;
    /// empty when the refusal has none a client could rephrase. The problem document's <c>args</c>.</summary>
    public IReadOnlyDictionary<string, object> Args { get; }

    /// <summary>A malformed or out-of-range input. <paramref name="rule"/>, when given, names the rule broken (e.g.
    /// <c>vm-name</c>) and becomes <c>args.rule</c>, with <paramref name="args"/> beside it.</summary>
    public static DomainException Invalid(string field, string message, string? rule = null, IReadOnlyDictionary<string, object>? args = null) =>
        new(ErrorKind.Validation, "validation", message, field, rule is null ? args : With(args, "rule", rule));

    /// <summary>"{what} '{key}' was not found." — <c>args</c>: what (VM, Host, User, …) and key.</summary>
    public static DomainException NotFound(string what, string key) =>
        new(ErrorKind.NotFound, "not-found", $"{what} '{key}' was not found.", args: new Dictionary<string, object> { ["what"] = what, ["key"] = key });

    public static DomainException Conflict(string code, string message, IReadOnlyDictionary<string, object>? args = null) =>
        new(ErrorKind.Conflict, code, message, args: args);

    private static Dictionary<string, object> With(IReadOnlyDictionary<string, object>? args, string key, object value)
    {
        var all = args is null ? new Dictionary<string, object>() : new Dictionary<string, object>(args);
        all[key] = value;
        return all;
    }
}
