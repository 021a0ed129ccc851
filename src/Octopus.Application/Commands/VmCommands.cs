using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Scheduling.Placement;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Control;

namespace Octopus.Application.Commands;

/// <summary>What users ask of VMs: create, start, stop, reboot, delete. Each command authorises the caller, checks
/// the request, changes the VM through its state machine, journals the operation that will carry it out, and is
/// audited. The control loop does the rest.</summary>
public sealed class VmCommands(OctopusDbContext db, CommandRunner runner, VmLookup lookup, IControlSignal signal, TimeProvider time, IPlacer placer,
    Networks.NicAllocator nics, Policies.PolicySettings? policySettings = null, VmSuspendCommands? suspends = null,
    Provisioning.VmSshKeys? sshKeys = null)
{
    /// <summary>Creates a VM (quota, name, placement later). <paramref name="sameUnit"/> is called with the new VM inside the
    /// create's unit of work (again on a retry), to journal what must commit with it, e.g. a fork's disk operation.</summary>
    public async Task<Vm> CreateAsync(Caller caller, VmCreateRequest? request, CancellationToken ct, Action<Vm>? sameUnit = null) =>
        (await CreateWithRowsAsync(caller, request, ct, sameUnit)).Vm;

    /// <summary><see cref="CreateAsync"/>, also giving what the create wrote beside the VM (its owner's name, NICs, SSH
    /// keys, user-data size), so its answer is built from the rows at hand instead of read back.</summary>
    public async Task<VmCreated> CreateWithRowsAsync(Caller caller, VmCreateRequest? request, CancellationToken ct, Action<Vm>? sameUnit = null)
    {
        VmCreated? answer = null;
        var vm = await runner.RunAsync(caller, Permissions.VmCreate, $"vm/{request?.Name}", async ct =>
        {
            if (request is null) throw DomainException.Invalid("body", "The request body is empty; send a JSON VM (name, cores, memoryBytes, diskBytes, image).");
            var name = VmName.Parse(request.Name);
            var image = ImageName.Parse(request.Image);
            var images = await db.Images.Select(i => new { i.Name, i.CloudInit }).ToListAsync(ct);
            var imageRecord = images.FirstOrDefault(i => i.Name == image.Value)
                ?? throw DomainException.Invalid("image", $"Unknown image '{image}'. Available: {string.Join(", ", images.Select(i => i.Name).Order())}.");
            var userData = request.UserData is null ? null : VmUserData.Parse(request.UserData);
            if (userData is not null && !imageRecord.CloudInit)
                throw DomainException.Invalid("userData", $"Image '{image}' is not marked cloud-init capable, so nothing in the VM would read the user-data. " +
                    $"Leave the user-data out, pick a cloud-init image, or have an administrator run `octopus image set {image} --cloud-init true`.");
            var geometry = Geometry.Create(request.Cores, new ByteSize(request.MemoryBytes), new ByteSize(request.DiskBytes), image);
            var owner = await ResolveOwnerAsync(caller, request.Owner, ct);
            await EnsureSomeHostCanHoldAsync(geometry, ct);
            await EnsureQuotaAsync(owner, geometry, ct); // serialises this owner's creates: the name check below is inside it
            if (await db.Vms.AnyAsync(v => v.OwnerId == owner.Id && v.Name == name, ct))
                throw DomainException.Conflict("vm.duplicate-name", $"{owner.Name} already has a VM named '{name}'; choose another name.",
                    new Dictionary<string, object> { ["name"] = name.ToString(), ["owner"] = owner.Name.ToString() });
            var now = time.GetUtcNow();
            if (request.LeaseExpiresAt is { } lease && lease <= now)
                throw DomainException.Invalid("leaseExpiresAt", $"The lease must end in the future; {lease:u} has passed.", "lease-past");
            if (request.LeaseExpiresAt is { } wanted && policySettings is { } ps && !caller.IsAdmin && wanted > now + ps.MaxLease)
                throw DomainException.Invalid("leaseExpiresAt",
                    $"The lease may end at most {Octopus.Policies.Language.DurationText.Format(ps.MaxLease)} from now ({now + ps.MaxLease:u}); ask for an earlier end.");
            var created = Vm.Create(name, owner.Id, geometry, now, request.Tags, request.LeaseExpiresAt);
            db.Vms.Add(created);
            sameUnit?.Invoke(created);
            var attached = await nics.AttachAsync(created, owner, caller.IsAdmin, request.Networks, now, ct);
            IReadOnlyList<string> keyRows = request.SshKeys is { Count: > 0 } keys
                ? await (sshKeys ?? throw new InvalidOperationException("SSH keys are not registered")).AttachAsync(created, owner, keys, ct)
                : [];
            long? userDataBytes = null;
            if (userData is not null)
            {
                var row = VmUserData.For(created.Id, userData);
                db.VmUserData.Add(row);
                userDataBytes = row.Bytes;
            }
            // Set on every attempt: a retried unit of work answers with its own last attempt's rows.
            answer = new VmCreated(created, owner.Name.Value, attached, keyRows, userDataBytes);
            return created;
        }, ct, v => v.Geometry.ToString(),
            duplicate: () => DomainException.Conflict("vm.duplicate-name", $"A VM named '{request?.Name}' already exists for its owner; choose another name.",
                new Dictionary<string, object> { ["name"] = request?.Name ?? "" }));
        signal.Wake();
        return answer is { } a && ReferenceEquals(a.Vm, vm) ? a : throw new InvalidOperationException("the create's unit of work returned another VM than it made");
    }

    /// <summary>Starts a stopped or failed VM; a suspended VM is resumed where it was.</summary>
    public async Task<Vm> StartAsync(Caller caller, string idOrName, CancellationToken ct) =>
        suspends is not null && await suspends.IsSuspendedAsync(caller, idOrName, ct)
            ? await suspends.ResumeAsync(caller, idOrName, ct)
            : await TransitionAsync(caller, idOrName, "start", ct);

    public Task<Vm> StopAsync(Caller caller, string idOrName, CancellationToken ct) => TransitionAsync(caller, idOrName, "stop", ct);

    public Task<Vm> RebootAsync(Caller caller, string idOrName, CancellationToken ct) => TransitionAsync(caller, idOrName, "reboot", ct);

    public Task<Vm> DeleteAsync(Caller caller, string idOrName, CancellationToken ct) => TransitionAsync(caller, idOrName, "delete", ct);

    /// <summary>Live-migrates a running VM to <paramref name="hostName"/> (admin). The destination must pass every
    /// placement filter; the VM holds resources on both hosts until the migration ends, and stays on its source if it fails.</summary>
    public async Task<Vm> MigrateAsync(Caller caller, string idOrName, string? hostName, CancellationToken ct)
    {
        var vm = await runner.RunAsync(caller, Permissions.VmMigrate, $"vm/{idOrName}", async ct =>
        {
            if (string.IsNullOrWhiteSpace(hostName)) throw DomainException.Invalid("host", "Name the destination host: {\"host\": \"sim-02\"}.");
            var vm = await lookup.FindAsync(caller, idOrName, ct);
            var destination = await HostCommands.FindAsync(db, hostName, ct);
            if (vm.HostId == destination.Id) throw DomainException.Conflict("vm.same-host", $"VM '{vm.Name}' is already on {destination.Name}.");
            var view = (await PlacementPass.SnapshotAsync(db, ct)).First(h => h.Id == destination.Id);
            if (placer.WhyNotOn(PlacementRequest.For(vm), view) is { } why)
                throw DomainException.Conflict("vm.destination-unfit", $"{destination.Name} cannot take VM '{vm.Name}': {why}.");
            var now = time.GetUtcNow();
            OperationJournal.BeginMigration(db, vm, destination.Id, destination.Name, caller.Name, now);
            return vm;
        }, ct, v => $"to {hostName}");
        signal.Wake();
        return vm;
    }

    /// <summary>Stop (or start, reboot, delete) many VMs as one unit of work: each VM is authorised, decided and audited
    /// as <see cref="StopAsync"/> would do it alone, the operations of those that changed are journaled with one query,
    /// everything commits in one save, and the control loop is woken once (see <see cref="CommandRunner.RunEachAsync"/>).
    /// <paramref name="action"/> is <c>start</c>, <c>stop</c>, <c>reboot</c> or <c>delete</c>; a start of a suspended VM
    /// journals its resume (authorised as a resume too), as <see cref="StartAsync"/> does, without waiting for it.</summary>
    public async Task<IReadOnlyList<(string Target, Vm? Vm, DomainException? Error)>> TransitionEachAsync(Caller caller, string action,
        IReadOnlyList<string> idsOrNames, CancellationToken ct)
    {
        var (permission, change) = Transition(action);
        var now = time.GetUtcNow();
        var changed = new List<Vm>();
        var outcomes = await runner.RunEachAsync(caller, permission, idsOrNames, target => $"vm/{target}",
            async (target, ct) =>
            {
                var vm = await lookup.FindAsync(caller, target, ct);
                if (action == "start" && suspends is not null && vm.State == VmState.Suspended)
                {
                    // As StartAsync alone: a suspended VM is resumed (journaled, not waited for; the answer says "accepted").
                    Permissions.VmResume.Authorize(caller);
                    await OperationJournal.BeginPauseChangeAsync(db, vm, suspend: false, caller.Name, null, now, ct);
                    return vm;
                }
                if (change(vm, now)) changed.Add(vm);
                return vm;
            },
            async (accepted, ct) =>
            {
                // Only this chunk's VMs: an earlier chunk's are saved (or ran alone) already.
                await OperationJournal.EnsureAllAsync(db, [.. changed.Where(accepted.Contains)], caller.Name, now, ct);
                changed.Clear();
            },
            async (target, ct) => action == "start" && suspends is not null && await suspends.IsSuspendedAsync(caller, target, ct)
                ? await suspends.BeginPauseChangeAsync(caller, target, suspend: false, ct)
                : await TransitionAsync(caller, target, action, ct, wake: false), ct, v => $"now {v.State}");
        signal.Wake();
        return outcomes;
    }

    private static (Permission Permission, Func<Vm, DateTimeOffset, bool> Change) Transition(string action) => action switch
    {
        "start" => (Permissions.VmStart, (vm, now) => vm.RequestStart(now)),
        "stop" => (Permissions.VmStop, (vm, now) => vm.RequestStop(now)),
        "reboot" => (Permissions.VmReboot, (vm, now) => { vm.RequestReboot(now); return true; }),
        "delete" => (Permissions.VmDelete, (vm, now) => vm.RequestDelete(now)),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "not a VM transition"),
    };

    private async Task<Vm> TransitionAsync(Caller caller, string idOrName, string action, CancellationToken ct, bool wake = true)
    {
        var (permission, change) = Transition(action);
        var vm = await runner.RunAsync(caller, permission, $"vm/{idOrName}", async ct =>
        {
            var vm = await lookup.FindAsync(caller, idOrName, ct);
            var now = time.GetUtcNow();
            if (change(vm, now)) await OperationJournal.EnsureAsync(db, vm, caller.Name, now, ct);
            return vm;
        }, ct, v => $"now {v.State}");
        if (wake) signal.Wake();
        return vm;
    }

    private async Task<User> ResolveOwnerAsync(Caller caller, string? ownerName, CancellationToken ct)
    {
        if (ownerName is not null && ownerName != caller.Name)
        {
            Permissions.VmCreateForOthers.Authorize(caller);
            var name = UserName.Parse(ownerName, "owner");
            return await db.Users.FirstOrDefaultAsync(u => u.Name == name, ct)
                ?? throw DomainException.Invalid("owner", $"There is no user '{ownerName}'.");
        }
        return await db.Users.FirstOrDefaultAsync(u => u.Id == caller.Id, ct)
            ?? throw new DomainException(ErrorKind.Unauthenticated, "auth.unknown-user", "Your user no longer exists; log in again.");
    }

    /// <summary>Rejects, at once, a geometry that no host could hold even if it were empty and on: such a VM would wait
    /// forever. A geometry that only does not fit now is accepted and waits as Pending.</summary>
    private async Task EnsureSomeHostCanHoldAsync(Geometry g, CancellationToken ct)
    {
        // The usual answer (some host can) is one count in SQL; the hosts are read only to word a refusal.
        const string sql = """SELECT CAST(COUNT(*) AS BIGINT) AS "Value" FROM "Hosts" WHERE "Cores" >= {0} AND "MemoryBytes" >= {1} AND "DiskBytes" >= {2}""";
        if (await db.Database.SqlQueryRaw<long>(sql, g.Cores, g.Memory.Bytes, g.Disk.Bytes).SingleAsync(ct) > 0) return;
        var capacities = await db.Hosts.AsNoTracking().Select(h => h.Capacity).ToListAsync(ct);
        if (capacities.Any(c => c.Cores >= g.Cores && c.Memory >= g.Memory && c.Disk >= g.Disk)) return;
        if (capacities.Count == 0) throw DomainException.Invalid("cores", "The cluster has no hosts; an administrator must configure some.");
        var maxCores = capacities.Max(c => c.Cores);
        var maxMem = capacities.Max(c => c.Memory);
        var maxDisk = capacities.Max(c => c.Disk);
        var field = g.Cores > maxCores ? "cores" : g.Memory > maxMem ? "memoryBytes" : g.Disk > maxDisk ? "diskBytes" : "cores";
        throw DomainException.Invalid(field,
            $"No host in the cluster can hold {g.Cores} vCPU, {g.Memory} memory and {g.Disk} disk, even empty " +
            $"(largest: {maxCores} cores, {maxMem} memory, {maxDisk} disk). Ask for less.");
    }

    private async Task EnsureQuotaAsync(User owner, Geometry g, CancellationToken ct)
    {
        var usage = await OwnerQuota.ClaimAsync(db, owner.Id, ct);
        owner.Quota.EnsureAllows(usage, new QuotaUsage(g.Cores, g.Memory, g.Disk, 1));
    }

    /// <summary>What a user's VMs hold now, in quota terms (VMs being deleted still count until they are gone): one
    /// aggregate row summed in SQL, so a create costs the same whether its owner has ten VMs or ten thousand. Raw SQL
    /// because EF cannot sum value-converted columns (<see cref="ByteSize"/>); the id's form is the provider's.</summary>
    public static async Task<QuotaUsage> UsageAsync(OctopusDbContext db, UserId owner, CancellationToken ct)
    {
        const string sql = """
            SELECT CAST(COUNT(*) AS BIGINT) AS "Vms", CAST(COALESCE(SUM("Cores"), 0) AS BIGINT) AS "Cores",
                   CAST(COALESCE(SUM("MemoryBytes"), 0) AS BIGINT) AS "Memory", CAST(COALESCE(SUM("DiskBytes"), 0) AS BIGINT) AS "Disk"
            FROM "Vms" WHERE "OwnerId" = {0}
            """;
        var row = await db.Database.SqlQueryRaw<UsageRow>(sql, db.Provider.IdParameter(owner.Value)).SingleAsync(ct);
        return new QuotaUsage(checked((int)row.Cores), new ByteSize(row.Memory), new ByteSize(row.Disk), checked((int)row.Vms));
    }

    private sealed class UsageRow
    {
        public long Vms { get; set; }
        public long Cores { get; set; }
        public long Memory { get; set; }
        public long Disk { get; set; }
    }
}

/// <summary>A VM just created and what its create wrote beside it, as its answer shows them.</summary>
public sealed record VmCreated(Vm Vm, string Owner, IReadOnlyList<Contracts.NicDto> Nics, IReadOnlyList<string> SshKeys, long? UserDataBytes);
