using Microsoft.EntityFrameworkCore;

namespace Octopus.Persistence;

/// <summary>Makes short-lived contexts over fixed options, for services that outlive a request (the disk catalog,
/// the agent registry, settings) and for tools and tests that open a store file directly.</summary>
public sealed class OctopusContextFactory(DbContextOptions<OctopusDbContext> options) : IDbContextFactory<OctopusDbContext>
{
    public OctopusDbContext CreateDbContext() => new(options);
}
