using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Disks;

/// <summary>Administrators' image commands: import a file from an import folder (converted to qcow2), and delete an
/// image, refused with the reason while a VM or snapshot depends on it. The image list VMs are created from (the
/// store's images table) and the disk tree's images are kept in step. An image named in the configuration comes back
/// (empty) at the next start.</summary>
public sealed class ImageCommands(DiskServices disks, CommandRunner runner, OctopusDbContext db)
{
    public async Task<ImageDto> ImportAsync(Caller caller, ImageImportRequest? request, CancellationToken ct) =>
        await runner.RunAsync(caller, Permissions.ImageImport, $"image/{request?.Name}", async ct =>
        {
            if (request is null) throw DomainException.Invalid("body", "Send {\"name\": \"NAME\", \"file\": \"/path/on/the/server\"}.");
            var name = ImageName.Parse(request.Name, "name");
            ImportPath.Parse(request.File); // checked as data before anything touches the file system
            var format = request.Format is null ? (DiskImageFormat?)null : DiskImageFormats.Parse(request.Format);
            if (await db.Images.AnyAsync(i => i.Name == name.Value, ct))
                throw DomainException.Conflict("image.exists", $"An image named '{name}' already exists; pick another name or delete it first.");
            var disk = await disks.Tree.ImportImageAsync(name, caller.Id, request.File, format, ct);
            var record = new ImageRecord { Name = name.Value, SizeBytes = disk.VirtualSize.Bytes, Source = "import", CloudInit = request.CloudInit };
            db.Images.Add(record);
            return Dto(record);
        }, ct, i => $"{i.SizeBytes} bytes{(i.CloudInit ? ", cloud-init" : "")}");

    /// <summary>Changes what is said about an image (admin): whether it runs cloud-init (its VMs then get a NoCloud seed
    /// disk from their next start on).</summary>
    public async Task<ImageDto> UpdateAsync(Caller caller, string imageName, ImageUpdateRequest? request, CancellationToken ct) =>
        await runner.RunAsync(caller, Permissions.ImageUpdate, $"image/{imageName}", async ct =>
        {
            if (request?.CloudInit is not { } cloudInit) throw DomainException.Invalid("cloudInit", "Send {\"cloudInit\": true} or {\"cloudInit\": false}.");
            var name = ImageName.Parse(imageName, "name");
            var record = await db.Images.FirstOrDefaultAsync(i => i.Name == name.Value, ct) ?? throw DomainException.NotFound("image", imageName);
            record.CloudInit = cloudInit;
            return Dto(record);
        }, ct, i => $"cloud-init {(i.CloudInit ? "on" : "off")}");

    public static ImageDto Dto(ImageRecord r) => new(r.Name, r.SizeBytes, r.Source, r.CloudInit);

    public async Task DeleteAsync(Caller caller, string imageName, CancellationToken ct) =>
        await runner.RunAsync(caller, Permissions.ImageDelete, $"image/{imageName}", async ct =>
        {
            var name = ImageName.Parse(imageName, "name");
            var record = await db.Images.FirstOrDefaultAsync(i => i.Name == name.Value, ct) ?? throw DomainException.NotFound("image", imageName);
            // VMs not yet created have no disk in the tree, but will need the image: they count too.
            var users = (await db.Vms.AsNoTracking().Select(v => new { v.Name, v.Geometry }).ToListAsync(ct))
                .Where(v => v.Geometry.Image == name).Select(v => v.Name.Value).ToList();
            if (users.Count > 0)
                throw DomainException.Conflict("image.in-use", $"Image '{name}' is used by VM(s) {string.Join(", ", users.Order().Take(10))}; delete them first.");
            await disks.Tree.DeleteImageAsync(name, ct);
            db.Images.Remove(record);
            return true;
        }, ct);
}
