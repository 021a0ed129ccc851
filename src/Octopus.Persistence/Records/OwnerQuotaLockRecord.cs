using Octopus.Domain.Users;

namespace Octopus.Persistence.Records;

/// <summary>One row per VM owner (table <c>OwnerQuotaLocks</c>) that serialises the owner's quota and VM-name
/// decisions. A command that raises what an owner's VMs hold, or claims a VM name for them, reads this row first,
/// then the owner's usage, and bumps <see cref="Version"/> (the optimistic-concurrency token) in the same save as
/// its change: of two such decisions made from the same reading, only one can commit; the other re-runs on fresh
/// state. The usage itself stays computed from the <c>Vms</c> table, so there is no counter to drift.
/// Works the same on SQLite and PostgreSQL (a conditional <c>UPDATE … WHERE Version = @read</c>).</summary>
public sealed class OwnerQuotaLockRecord
{
    public UserId UserId { get; set; }
    public long Version { get; set; }
}
