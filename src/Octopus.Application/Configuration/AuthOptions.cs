namespace Octopus.Application.Configuration;

/// <summary>Section <c>Octopus:Auth</c>: API tokens.</summary>
public sealed class AuthOptions
{
    public const string Section = "Octopus:Auth";

    /// <summary>How long an API token stays valid. 1 minute to 365 days; default 30 days.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Checks <see cref="AuthOptions"/>' ranges.</summary>
public sealed class AuthOptionsValidator() : SectionValidator<AuthOptions>(AuthOptions.Section)
{
    protected override void Check(AuthOptions o, Action<string, string> fail) =>
        Range(o.TokenLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365), nameof(o.TokenLifetime), fail);
}
