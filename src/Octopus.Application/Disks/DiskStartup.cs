using Microsoft.EntityFrameworkCore;
using Octopus.Disks.Services;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;

namespace Octopus.Application.Disks;

/// <summary>Start-up work for the disk tree, done before the server listens: finish or undo what a crash interrupted
/// (<see cref="DiskRecovery.RecoverAsync"/>), then create a base image for every image the store knows but the disk
/// tree does not (an empty sparse qcow2 of the configured size: cheap at any size).</summary>
internal sealed partial class DiskStartup(DiskServices disks, IServiceScopeFactory scopes, ILogger<DiskStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovered = await disks.Recovery.RecoverAsync(cancellationToken);
        if (recovered.Count > 0) LogRecovered(log, recovered.Count);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var images = await db.Images.AsNoTracking().ToListAsync(cancellationToken);
        if (images.Count == 0) return;
        var admin = await db.Users.AsNoTracking().Where(u => u.Role == UserRole.Admin).Select(u => (UserId?)u.Id).FirstOrDefaultAsync(cancellationToken);
        if (admin is null) return; // the store is not prepared yet; the next start creates the images
        var tree = await disks.Queries.TreeAsync(ct: cancellationToken);
        var known = VmDisks.Flatten(tree.Roots).Where(n => n.Disk.Image is not null && n.Disk.Role == Octopus.Disks.Model.DiskRole.Image)
            .Select(n => n.Disk.Image!.Value.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var image in images.Where(i => !known.Contains(i.Name)))
        {
            await disks.Tree.CreateBaseImageAsync(ImageName.Parse(image.Name), admin.Value, new ByteSize(image.SizeBytes), cancellationToken);
            LogImageCreated(log, image.Name, image.SizeBytes);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "disk recovery finished {Count} interrupted disk operations")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "created base image {Image} ({Bytes} bytes virtual)")]
    private static partial void LogImageCreated(ILogger logger, string image, long bytes);
}
