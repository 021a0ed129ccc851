using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Octopus.Application.Commands;
using Octopus.Domain;

namespace Octopus.Server.Api;

/// <summary>Turns every failure into an RFC 7807 problem document with a message that says what was wrong and what to
/// do, plus <c>code</c> and (when known) <c>field</c>. Unexpected exceptions become a 500 without internals.</summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var store = http.RequestServices.GetService<Persistence.OctopusDbContext>()?.Provider;
        var (status, code, title, detail, field) = Describe(exception, store);
        var args = Args(exception);
        if (code == StoreUnavailable) LogStoreUnavailable(log, http.Request.Method, http.Request.Path, exception.GetBaseException().Message);
        else if (status >= 500 && exception is not Application.Identity.IdentityProviderUnavailableException) LogUnexpected(log, exception); // the provider logged why
        http.Response.StatusCode = status;
        if (exception is Application.Identity.LoginRefusedException refused)
            http.Response.Headers.RetryAfter = refused.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (code == StoreUnavailable) http.Response.Headers.RetryAfter = "2";
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://octopus.dev/problems/{code}" };
        problem.Extensions["code"] = code;
        if (field is not null) problem.Extensions["field"] = field;
        if (args.Count > 0) problem.Extensions["args"] = args;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The facts of the problem's detail by name (<c>args</c>), for a client that says it in its user's language
    /// from the code; <c>detail</c> stays English.</summary>
    internal static IReadOnlyDictionary<string, object> Args(Exception e) => e switch
    {
        DomainException d => d.Args,
        Application.Identity.LoginRefusedException r => new Dictionary<string, object> { ["seconds"] = r.RetryAfterSeconds },
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new Dictionary<string, object> { ["limitBytes"] = 1L << 20 },
        _ => new Dictionary<string, object>(),
    };

    /// <summary>The problem code when the database cannot be reached (down, or failing over to a standby).</summary>
    public const string StoreUnavailable = "store.unavailable";

    /// <param name="e">What went wrong.</param>
    /// <param name="store">The store's provider, which recognises its engine's "cannot reach the database" errors.</param>
    internal static (int Status, string Code, string Title, string Detail, string? Field) Describe(Exception e, Persistence.Providers.IStoreProvider? store = null) => e switch
    {
        _ when store?.IsUnavailable(e) == true => (503, StoreUnavailable, "Store unavailable",
            "The server cannot reach its database (it is down or failing over to a standby). Retry in a few seconds; " +
            "a change sent just now may or may not have been saved, so look before repeating it.", null),
        DomainException d => (ErrorStatus.For(d.Kind), d.Code, ErrorStatus.Title(d.Kind), d.Message, d.Field),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "request.too-large", "Request body too large", "The request body is larger than the server accepts (1 MiB).", null),
        BadHttpRequestException b when FindJson(b) is { } j =>
            (400, "request.malformed-json", "Malformed JSON", $"The request body is not valid JSON for this call: {Clean(j)}", FieldOf(j)),
        BadHttpRequestException b => (b.StatusCode, "request.bad", "Bad request", b.Message, null),
        JsonException j => (400, "request.malformed-json", "Malformed JSON", $"The request body is not valid JSON for this call: {Clean(j)}", FieldOf(j)),
        Octopus.Disks.Backends.DiskBackendException d => (503, "storage.failed", "Storage failed",
            $"The disk storage could not complete the operation: {d.Message} The disk tree is unchanged; retry, or ask an administrator to check the storage folder.", null),
        Application.Identity.LoginRefusedException r => (429, r.Code, "Too many requests", r.Message, null),
        Application.Identity.IdentityProviderUnavailableException p => (503, "auth.provider-unavailable", "Identity provider unavailable",
            $"{p.Message} Local accounts (the break-glass admin) can still log in; retry later or ask an administrator.", null),
        OperationCanceledException => (499, "request.cancelled", "Request cancelled", "The request was cancelled.", null),
        _ => (500, "internal", "Internal error", "The server failed unexpectedly; the error is in its log. Nothing was changed by this request unless it says so.", null),
    };

    private static JsonException? FindJson(Exception e)
    {
        for (var x = e.InnerException; x is not null; x = x.InnerException) if (x is JsonException j) return j;
        return null;
    }

    private static string Clean(JsonException j) =>
        j.Path is { Length: > 1 } p ? $"the value at '{p}' cannot be read (line {j.LineNumber + 1})." : $"{j.Message.Split(" Path:")[0]}";

    /// <summary>"$.memoryBytes" → "memoryBytes".</summary>
    private static string? FieldOf(JsonException j) => j.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: 503, the store is unavailable: {Problem}")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, string path, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "unexpected error")]
    private static partial void LogUnexpected(ILogger logger, Exception e);
}
