using Octopus.Application.Configuration;

namespace Octopus.Server.Observability;

/// <summary>Who may read <c>/metrics</c>: anyone who can reach the server (the default: Prometheus scrapes without
/// credentials, and the port is then the boundary), or, with <see cref="RequireAuthentication"/>, administrators only
/// (a bearer token of an admin; a personal token with just the <c>read</c> scope is enough for a scraper), for sites
/// where the figures (VMs per state, hosts, power, which replica leads) should not be public.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Octopus:Metrics";

    /// <summary>Answer <c>/metrics</c> only to administrators' tokens (401 without one, 403 for other users). Default false.</summary>
    public bool RequireAuthentication { get; set; }
}

/// <summary><see cref="MetricsOptions"/> has no ranges; binding refuses a value that is not a boolean, and an unknown key,
/// at start-up like every section.</summary>
public sealed class MetricsOptionsValidator() : SectionValidator<MetricsOptions>(MetricsOptions.Section)
{
    protected override void Check(MetricsOptions o, Action<string, string> fail)
    {
    }
}
