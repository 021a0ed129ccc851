namespace Octopus.Policies.Retries;

/// <summary>Options of the <see cref="RetrySchedule"/>, with their valid ranges.</summary>
public sealed record RetryOptions
{
    public static RetryOptions Default { get; } = new();

    /// <summary>Wait after the first failure (default 30 s; more than zero).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each further failure multiplies the wait by this (default 2; at least 1).</summary>
    public double Factor { get; init; } = 2;

    /// <summary>The wait never exceeds this (default 1 h; at least <see cref="InitialDelay"/>).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Attempts in all, the first included; after the last failure the action is given up and reported (default 8).</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Up to this fraction of each wait is added as jitter, so retries of many actions that failed together do not
    /// all fire together (default 0.1; 0–1). Deterministic per action key, never random.</summary>
    public double Jitter { get; init; } = 0.1;

    internal void Validate()
    {
        if (InitialDelay <= TimeSpan.Zero) throw new ArgumentException("InitialDelay must be more than zero.", nameof(InitialDelay));
        if (!(Factor >= 1)) throw new ArgumentException("Factor must be at least 1.", nameof(Factor));
        if (MaxDelay < InitialDelay) throw new ArgumentException("MaxDelay must be at least InitialDelay.", nameof(MaxDelay));
        if (MaxAttempts < 1) throw new ArgumentException("MaxAttempts must be at least 1.", nameof(MaxAttempts));
        if (!(Jitter is >= 0 and <= 1)) throw new ArgumentException("Jitter must be between 0 and 1.", nameof(Jitter));
    }
}

/// <summary>What to do after a failed attempt: retry at <see cref="RetryAt"/>, or give up (and report).</summary>
public sealed record RetryDecision(bool GiveUp, DateTimeOffset? RetryAt, TimeSpan Delay, string Explanation);

/// <summary>Exponential backoff with a cap for failed policy actions, as a pure function: the n-th failure waits
/// initial × factor^(n−1), capped at the maximum, plus a jitter derived from the action's key (so two servers computing
/// it agree, and tests can assert it).</summary>
public sealed class RetrySchedule
{
    private readonly RetryOptions _options;

    public RetrySchedule(RetryOptions? options = null)
    {
        _options = options ?? RetryOptions.Default;
        _options.Validate();
    }

    /// <summary>The decision after <paramref name="failedAttempts"/> failures (1 after the first), the last at <paramref name="failedAt"/>.</summary>
    public RetryDecision After(int failedAttempts, DateTimeOffset failedAt, string key)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        if (failedAttempts >= _options.MaxAttempts)
            return new RetryDecision(true, null, TimeSpan.Zero, $"gave up after {failedAttempts} attempt(s)");
        var delay = Delay(failedAttempts, key);
        return new RetryDecision(false, failedAt + delay, delay,
            $"attempt {failedAttempts} of {_options.MaxAttempts} failed; retrying in {Language.DurationText.Format(delay)}");
    }

    /// <summary>The wait after the n-th failure, jitter included.</summary>
    public TimeSpan Delay(int failedAttempts, string key)
    {
        var baseSeconds = _options.InitialDelay.TotalSeconds * Math.Pow(_options.Factor, Math.Min(failedAttempts - 1, 64));
        var capped = Math.Min(baseSeconds, _options.MaxDelay.TotalSeconds);
        var jitter = capped * _options.Jitter * Fraction(key, failedAttempts);
        return TimeSpan.FromSeconds(Math.Min(capped + jitter, _options.MaxDelay.TotalSeconds));
    }

    /// <summary>A fraction in [0, 1) from a stable hash (FNV-1a) of the key and attempt; string.GetHashCode is randomised per process.</summary>
    private static double Fraction(string key, int attempt)
    {
        var h = 2166136261u;
        foreach (var c in key) h = (h ^ c) * 16777619u;
        h = (h ^ (uint)attempt) * 16777619u;
        return (h % 10_000) / 10_000.0;
    }
}
