using Octopus.Application.Configuration;

namespace Octopus.Application.Identity;

/// <summary>The <c>Octopus:Login</c> section, as written. Every key is optional; see <see cref="LoginSettings"/> for
/// meanings, ranges and defaults.</summary>
public sealed class LoginSection : ISettingsSection<LoginSettings>
{
    public const string Section = "Octopus:Login";
    public static string Path => Section;
    public LoginSettings ToSettings() => LoginSettings.From(this);
    public int? MaxFailures { get; set; }
    public TimeSpan? LockoutBase { get; set; }
    public TimeSpan? LockoutMax { get; set; }
    public TimeSpan? FailureWindow { get; set; }
    public int? PerAddressPermits { get; set; }
    public TimeSpan? PerAddressWindow { get; set; }
    public int? HashConcurrency { get; set; }
    public int? HashQueue { get; set; }
}

/// <summary>Validated brute-force defence settings.</summary>
/// <param name="MaxFailures">Consecutive failed logins for one name before it is locked (1-1000, default 5).</param>
/// <param name="LockoutBase">First lockout (1 s - 1 h, default 30 s); each further failure doubles it.</param>
/// <param name="LockoutMax">Longest lockout (from LockoutBase to 1 day, default 15 min).</param>
/// <param name="FailureWindow">A failure older than this no longer counts (from LockoutMax to 30 days, default 1 h).</param>
/// <param name="PerAddressPermits">Login attempts one client address may make per window (1-100000, default 20).</param>
/// <param name="PerAddressWindow">That window (1 s - 1 h, default 1 min).</param>
/// <param name="HashConcurrency">Password hashes computed at once (1-64, default half the cores, at least 1), so a
/// login flood leaves CPU to the rest of the API.</param>
/// <param name="HashQueue">Logins that may wait for a hashing slot (0-10000, default 16); beyond that 429.</param>
public sealed record LoginSettings(int MaxFailures, TimeSpan LockoutBase, TimeSpan LockoutMax, TimeSpan FailureWindow,
    int PerAddressPermits, TimeSpan PerAddressWindow, int HashConcurrency, int HashQueue)
{
    public static LoginSettings Default => From(new LoginSection());

    /// <summary>Reads and checks the section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static LoginSettings From(IConfiguration configuration) => SettingsSections.Read<LoginSection, LoginSettings>(configuration);

    public static LoginSettings From(LoginSection s)
    {
        var maxFailures = Range(s.MaxFailures ?? 5, 1, 1000, "MaxFailures");
        var lockBase = Range(s.LockoutBase ?? TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "LockoutBase");
        var lockMax = Range(s.LockoutMax ?? TimeSpan.FromMinutes(15), lockBase, TimeSpan.FromDays(1), "LockoutMax");
        var window = Range(s.FailureWindow ?? TimeSpan.FromHours(1), lockMax, TimeSpan.FromDays(30), "FailureWindow");
        var permits = Range(s.PerAddressPermits ?? 20, 1, 100_000, "PerAddressPermits");
        var perWindow = Range(s.PerAddressWindow ?? TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "PerAddressWindow");
        var hashes = Range(s.HashConcurrency ?? Math.Max(1, Environment.ProcessorCount / 2), 1, 64, "HashConcurrency");
        var queue = Range(s.HashQueue ?? 16, 0, 10_000, "HashQueue");
        return new LoginSettings(maxFailures, lockBase, lockMax, window, permits, perWindow, hashes, queue);
    }

    /// <summary>How long a name is locked after its <paramref name="failures"/>-th consecutive failure (zero below
    /// <see cref="MaxFailures"/>): LockoutBase × 2^(failures − MaxFailures), at most LockoutMax.</summary>
    public TimeSpan LockoutAfter(int failures)
    {
        if (failures < MaxFailures) return TimeSpan.Zero;
        var doublings = Math.Min(failures - MaxFailures, 30); // 2^30 × 1 s is far past any LockoutMax
        var ticks = Math.Min(LockoutBase.Ticks * (1L << doublings), LockoutMax.Ticks);
        return TimeSpan.FromTicks(Math.Min(ticks, LockoutMax.Ticks));
    }

    private static T Range<T>(T value, T min, T max, string key) where T : IComparable<T> =>
        value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0 ? value
            : throw new ConfigurationException($"{LoginSection.Section}:{key}", $"{value} is out of range ({min} to {max}).");
}
