namespace Octopus.Client;

/// <summary>How an <see cref="OctopusClient"/> retries and waits. Defaults suit an interactive tool.</summary>
public sealed record OctopusClientOptions
{
    /// <summary>Retries after the first attempt for idempotent calls (GET) on transient failures: connection
    /// refused, 502, 503, 504. 0 disables retries. Valid range 0–10.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Delay before the first retry; each further retry waits twice as long (200 ms, 400 ms, 800 ms …).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest single retry delay, so a large <see cref="MaxRetries"/> does not stall for minutes.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often <see cref="VmOperations.WaitForStateAsync(string, Func{Contracts.VmDto, bool}, TimeSpan, IProgress{Contracts.VmDto}?, CancellationToken)"/> polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Clock used for retry back-off and polling; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (MaxRetries is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "Must be between 0 and 10.");
        if (RetryBaseDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), "Must not be negative.");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PollInterval), "Must be positive.");
    }
}
