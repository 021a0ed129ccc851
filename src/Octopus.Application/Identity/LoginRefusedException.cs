namespace Octopus.Application.Identity;

/// <summary>A login that is not even checked: the name is locked after repeated failures (<c>auth.locked</c>), the
/// client address sent too many attempts (<c>auth.rate-limited</c>), or every hashing slot is busy (<c>auth.busy</c>).
/// Answered with 429 and <c>Retry-After</c>.</summary>
public sealed class LoginRefusedException(string code, string message, TimeSpan retryAfter) : Exception(message)
{
    public string Code { get; } = code;
    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>Whole seconds for the Retry-After header (at least 1).</summary>
    public int RetryAfterSeconds => (int)Math.Max(1, Math.Ceiling(RetryAfter.TotalSeconds));
}
