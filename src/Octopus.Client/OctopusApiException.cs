using System.Net;

namespace Octopus.Client;

/// <summary>The server understood the request and refused it. Carries the RFC 7807 problem details the server sent:
/// <see cref="Exception.Message"/> is the server's own explanation (<see cref="Detail"/>, else <see cref="Title"/>).</summary>
public sealed class OctopusApiException : Exception
{
    /// <summary>A refusal with the problem details' fields; <see cref="Exception.Message"/> is composed from them.</summary>
    public OctopusApiException(HttpStatusCode status, string? code, string? field, string? title, string? detail,
        IReadOnlyDictionary<string, string[]>? errors = null)
        : base(ComposeMessage(status, title, detail, errors))
    {
        Status = status;
        Code = code;
        Field = field;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    /// <summary>HTTP status of the response, e.g. 403 for a quota refusal.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The server's stable machine-readable code (problem extension <c>code</c>), e.g. <c>quota-exceeded</c>.</summary>
    public string? Code { get; }

    /// <summary>The request field the server blamed (problem extension <c>field</c>), when there is one.</summary>
    public string? Field { get; }

    /// <summary>The problem's short title, e.g. "Quota exceeded".</summary>
    public string? Title { get; }

    /// <summary>The server's explanation of what was wrong and what to do.</summary>
    public string? Detail { get; }

    /// <summary>Per-field validation messages, when the server sent a validation problem (<c>errors</c>).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string ComposeMessage(HttpStatusCode status, string? title, string? detail, IReadOnlyDictionary<string, string[]>? errors)
    {
        if (!string.IsNullOrWhiteSpace(detail)) return detail;
        if (errors is { Count: > 0 })
            return string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        if (!string.IsNullOrWhiteSpace(title)) return title;
        return $"The server answered {(int)status} {status}.";
    }
}

/// <summary>The server could not be reached (connection refused, DNS failure, no answer in time), after retries
/// where the call was safe to retry.</summary>
public sealed class OctopusConnectionException : Exception
{
    /// <summary>A failure to reach <paramref name="baseAddress"/>, explained in <paramref name="message"/>.</summary>
    public OctopusConnectionException(Uri baseAddress, string message, Exception? inner)
        : base(message, inner) => BaseAddress = baseAddress;

    /// <summary>The server address that could not be reached.</summary>
    public Uri BaseAddress { get; }
}

/// <summary>A VM did not settle within the time the caller allowed. <see cref="LastSeen"/> is its state at the last poll.</summary>
public sealed class VmWaitTimeoutException : TimeoutException
{
    /// <summary>VM <paramref name="vm"/> was still not settled after <paramref name="timeout"/>.</summary>
    public VmWaitTimeoutException(string vm, TimeSpan timeout, Contracts.VmDto? lastSeen)
        : base($"VM '{vm}' did not settle within {timeout.TotalSeconds:0} s; it is still {lastSeen?.State ?? "unknown"}.")
    {
        LastSeen = lastSeen;
    }

    /// <summary>The VM as the last poll saw it (null if it was never seen).</summary>
    public Contracts.VmDto? LastSeen { get; }
}
