using Octopus.Domain;

namespace Octopus.Application.Commands;

/// <summary>The REST status and title each kind of refusal answers with: one table for whole requests (Octopus.Server's
/// problem documents) and for each item of a bulk action's answer.</summary>
public static class ErrorStatus
{
    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => 400,
        ErrorKind.Unauthenticated => 401,
        ErrorKind.Forbidden => 403,
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.QuotaExceeded => 403,
        _ => 500,
    };

    public static string Title(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => "Invalid request",
        ErrorKind.Unauthenticated => "Authentication required",
        ErrorKind.Forbidden => "Forbidden",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.QuotaExceeded => "Quota exceeded",
        _ => "Error",
    };

    /// <summary>202: the command was accepted and its operation is in the journal.</summary>
    public const int Accepted = 202;
}
