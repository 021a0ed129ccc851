using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Drivers.Simulated;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Application.Configuration;

using Host = Octopus.Domain.Hosts.Host;

namespace Octopus.Application.Control;

/// <summary>Brings the store up to date before the server listens: applies migrations, makes the first admin,
/// aligns hosts and images with the configuration. (Operations a previous run left unfinished are requeued by the
/// replica that next becomes leader: Cluster/LeaderElection.)</summary>
public sealed partial class Bootstrap(OctopusDbContext db, Microsoft.Extensions.Options.IOptions<ServerOptions> server,
    Microsoft.Extensions.Options.IOptions<ClusterOptions> hosts, Microsoft.Extensions.Options.IOptions<ImageOptions> images, SimulatedCluster cluster, Identity.IPasswordHasher hasher,
    TimeProvider time, ILogger<Bootstrap> log)
{
    /// <summary>Returns the admin password when it was generated now (to be shown once), else null.</summary>
    public async Task<string?> RunAsync(string? adminPassword, CancellationToken ct)
    {
        await db.Database.MigrateAsync(ct);
        var generated = await EnsureAdminAsync(adminPassword, ct);
        await SyncHostsAsync(ct);
        await SyncImagesAsync(ct);
        return generated;
    }

    private async Task<string?> EnsureAdminAsync(string? adminPassword, CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct)) return null;
        string? generated = null;
        if (string.IsNullOrEmpty(adminPassword))
        {
            generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');
            adminPassword = generated;
        }
        else
        {
            Commands.UserCommands.CheckPassword(adminPassword);
        }
        var now = time.GetUtcNow();
        var admin = User.Create(UserName.Parse("admin"), UserRole.Admin, "", Quota.Unlimited, now);
        admin.SetPasswordHash(hasher.HashPassword(admin, adminPassword));
        db.Users.Add(admin);
        db.Audit.Add(AuditEntry.Record(now, "system", "user.create", "user/admin", true, "ok", "first start"));
        await db.SaveChangesAsync(ct);
        return generated;
    }

    private async Task SyncHostsAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var existing = await db.Hosts.ToDictionaryAsync(h => h.Name, ct);
        // With the qemu driver the hosts are the registered agents, not the configuration's simulated hosts.
        foreach (var spec in server.Value.AgentsRunVms ? Array.Empty<HostSpec>() : hosts.Value.HostSpecs())
        {
            if (existing.Remove(spec.Name, out var host)) host.Reconfigure(spec.Capacity, spec.PowerModel);
            else db.Hosts.Add(Host.Create(spec.Name, spec.Capacity, spec.PowerModel, now));
        }
        foreach (var gone in existing.Values) LogHostNotConfigured(log, gone.Name);
        await db.SaveChangesAsync(ct);
        foreach (var h in await db.Hosts.AsNoTracking().ToListAsync(ct)) cluster.DefineHost(h.Id, h.Capacity.Cores, h.PowerState);
    }

    private async Task SyncImagesAsync(CancellationToken ct)
    {
        var existing = await db.Images.ToDictionaryAsync(i => i.Name, ct);
        foreach (var spec in images.Value.ImageSpecs())
        {
            if (existing.TryGetValue(spec.Name.Value, out var img)) img.SizeBytes = spec.Size.Bytes;
            else db.Images.Add(new ImageRecord { Name = spec.Name.Value, SizeBytes = spec.Size.Bytes, Source = "configuration" });
        }
        await db.SaveChangesAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "host {Host} is in the store but no longer in the configuration; it is kept (its VMs stay where they are)")]
    private static partial void LogHostNotConfigured(ILogger logger, string host);
}
