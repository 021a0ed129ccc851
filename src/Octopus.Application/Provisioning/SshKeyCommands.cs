using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Provisioning;

/// <summary>The SSH public keys in the caller's own profile: list, add (checked: type, base64, blob), remove. Adding and
/// removing are audited commands. VMs take keys from their owner's profile by name when created (<see cref="VmSshKeys"/>).</summary>
public sealed class SshKeyCommands(OctopusDbContext db, CommandRunner runner, TimeProvider time)
{
    public async Task<IReadOnlyList<SshKeyDto>> ListAsync(Caller caller, CancellationToken ct) =>
        [.. (await db.SshKeys.AsNoTracking().Where(k => k.UserId == caller.Id).ToListAsync(ct)).OrderBy(k => k.Name, StringComparer.Ordinal).Select(Dto)];

    /// <summary>Adds a key; 400 naming <c>name</c> or <c>publicKey</c> for bad input, 409 for a name or key already there.</summary>
    public Task<SshKeyDto> AddAsync(Caller caller, SshKeyRequest? request, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserKeyAdd, $"user/{caller.Name}/key/{request?.Name}", async ct =>
        {
            if (request is null) throw DomainException.Invalid("body", "The request body is empty; send {\"name\": \"laptop\", \"publicKey\": \"ssh-ed25519 AAAA… you@laptop\"}.");
            var name = SshKey.ParseName(request.Name);
            var key = SshPublicKey.Parse(request.PublicKey);
            var existing = await db.SshKeys.Where(k => k.UserId == caller.Id).ToListAsync(ct);
            var added = SshKey.Add(caller.Id, name, key, existing, time.GetUtcNow());
            db.SshKeys.Add(added);
            return Dto(added);
        }, ct, k => $"{k.Type} {k.Fingerprint}",
            duplicate: () => DomainException.Conflict("key.duplicate-name", $"You already have a key named '{request?.Name}'; remove it first or choose another name."));

    public Task RemoveAsync(Caller caller, string name, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.UserKeyRemove, $"user/{caller.Name}/key/{name}", async ct =>
        {
            var key = await db.SshKeys.FirstOrDefaultAsync(k => k.UserId == caller.Id && k.Name == name, ct) ?? throw DomainException.NotFound("Key", name);
            db.SshKeys.Remove(key);
            return true;
        }, ct);

    private static SshKeyDto Dto(SshKey k)
    {
        var key = k.Key;
        return new SshKeyDto(k.Name, key.Type, k.Fingerprint, key.Comment, k.CreatedAt);
    }
}

/// <summary>Gives a new VM its SSH keys inside the command that creates it: each entry is the name of a key in the
/// owner's profile or a literal public key line, checked like a profile key.</summary>
public sealed class VmSshKeys(OctopusDbContext db)
{
    /// <summary>Adds the keys' rows to the unit of work; returns them as the API shows them (<see cref="OfAsync"/>'s form).</summary>
    public async Task<IReadOnlyList<string>> AttachAsync(Vm vm, User owner, IReadOnlyList<string>? requested, CancellationToken ct)
    {
        if (requested is not { Count: > 0 }) return [];
        if (requested.Count > VmSshKey.MaxPerVm)
            throw DomainException.Invalid("sshKeys", $"A VM may be given at most {VmSshKey.MaxPerVm} keys; {requested.Count} were named.");
        var profile = await db.SshKeys.AsNoTracking().Where(k => k.UserId == owner.Id).ToListAsync(ct);
        var keys = new List<SshPublicKey>();
        foreach (var entry in requested)
        {
            var text = entry?.Trim() ?? "";
            SshPublicKey key;
            if (text.Contains(' ', StringComparison.Ordinal)) key = SshPublicKey.Parse(text, "sshKeys");
            else key = profile.FirstOrDefault(k => k.Name == text)?.Key
                ?? throw DomainException.Invalid("sshKeys", $"{owner.Name} has no key named '{text}' in their profile " +
                    $"({(profile.Count == 0 ? "it has none" : "it has " + string.Join(", ", profile.Select(k => k.Name).Order(StringComparer.Ordinal)))}); " +
                    "add it with `octopus key add NAME FILE`, or give the public key itself.");
            if (!keys.Contains(key)) keys.Add(key);
        }
        var rows = keys.Select((key, slot) => VmSshKey.For(vm.Id, slot, key)).ToList();
        db.VmSshKeys.AddRange(rows);
        return [.. rows.Select(Describe)];
    }

    /// <summary>The fingerprints and comments of the keys of <paramref name="vms"/>, in slot order.</summary>
    public async Task<IReadOnlyDictionary<VmId, IReadOnlyList<string>>> OfAsync(IReadOnlyCollection<VmId> vms, CancellationToken ct)
    {
        var ids = vms.ToList();
        var rows = await db.VmSshKeys.AsNoTracking().Where(k => ids.Contains(k.VmId)).ToListAsync(ct);
        return rows.GroupBy(k => k.VmId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.OrderBy(k => k.Slot).Select(Describe)]);
    }

    private static string Describe(VmSshKey k)
    {
        var comment = SshPublicKey.Parse(k.PublicKey).Comment;
        return comment.Length > 0 ? $"{k.Fingerprint} {comment}" : k.Fingerprint;
    }
}
