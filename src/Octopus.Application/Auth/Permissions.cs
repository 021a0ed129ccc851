namespace Octopus.Application.Auth;

/// <summary>Every command's and admin query's authorisation, declared once. A command names its
/// <see cref="Permission"/> when it runs (<see cref="Commands.CommandRunner.RunAsync{T}"/>), and the runner checks it
/// before the body; nothing checks roles ad hoc. A few commands widen with their data (creating a VM for another
/// user, a policy over other users' VMs): that widening is declared here too, as its own admin permission, and the
/// command asks it when the data calls for it.</summary>
public static class Permissions
{
    private static Permission Owner(string action, string purpose) => new(action, Access.Owner, purpose);
    private static Permission Admin(string action, string purpose) => new(action, Access.Admin, purpose);

    // VMs: owners act on their own (VmLookup scopes the target), admins on all.
    public static readonly Permission VmCreate = Owner("vm.create", "create VMs");
    public static readonly Permission VmStart = Owner("vm.start", "start VMs");
    public static readonly Permission VmStop = Owner("vm.stop", "stop VMs");
    public static readonly Permission VmReboot = Owner("vm.reboot", "reboot VMs");
    public static readonly Permission VmDelete = Owner("vm.delete", "delete VMs");
    public static readonly Permission VmSuspend = Owner("vm.suspend", "suspend VMs");
    public static readonly Permission VmResume = Owner("vm.resume", "resume VMs");
    public static readonly Permission VmLease = Owner("vm.lease", "change VM leases");
    public static readonly Permission VmSnapshot = Owner("vm.snapshot", "snapshot VMs");
    public static readonly Permission VmSnapshotDelete = Owner("vm.snapshot-delete", "delete snapshots");
    public static readonly Permission VmRevert = Owner("vm.revert", "revert VMs");
    public static readonly Permission VmFork = Owner("vm.fork", "fork VMs");
    public static readonly Permission VmCheckpoint = Owner("vm.checkpoint", "checkpoint VMs");
    public static readonly Permission VmRuleAdd = Owner("vm.rule.add", "change security rules");
    public static readonly Permission VmRuleRemove = Owner("vm.rule.remove", "change security rules");
    public static readonly Permission VmConsoleTicket = Owner("vm.console-ticket", "open VM consoles");
    public static readonly Permission VmConsole = Owner("vm.console", "open VM consoles");
    public static readonly Permission VmMigrate = Admin("vm.migrate", "migrate VMs");
    public static readonly Permission VmRestartElsewhere = Admin("vm.restart-elsewhere", "restart VMs on another host");

    /// <summary>Widens <see cref="VmCreate"/>: the new VM's owner is another user.</summary>
    public static readonly Permission VmCreateForOthers = Admin("vm.create", "create VMs for other users");

    /// <summary>Bulk actions: each VM's own command is authorised as above; this is the one audit entry of the batch.</summary>
    public static Permission VmBulk(string action) => Owner($"vm.bulk-{action}", $"{action} VMs");

    // Hosts and the cluster.
    public static readonly Permission HostMaintenance = Admin("host.maintenance", "change maintenance mode");
    public static readonly Permission HostPowerOn = Admin("host.power-on", "power hosts on or off");
    public static readonly Permission HostPowerOff = Admin("host.power-off", "power hosts on or off");
    public static readonly Permission HostPowerConfig = Admin("host.power-config", "configure how hosts are powered");
    public static readonly Permission PowerHistoryView = Admin("power.history", "see the cluster's power history");
    public static readonly Permission HostHistoryView = Admin("host.history", "see hosts' load and power history");
    public static readonly Permission ClusterView = Admin("cluster.view", "see the control plane's replicas");
    public static readonly Permission PlanView = Admin("plan.view", "see the consolidation plan");
    public static readonly Permission PlanApply = Admin("plan.apply", "apply the consolidation plan");
    public static readonly Permission PlanMode = Admin("plan.mode", "change the consolidation mode");
    public static readonly Permission PlanDismiss = Admin("plan.dismiss", "dismiss the consolidation plan");

    // Images, disks and networks.
    public static readonly Permission ImageImport = Admin("image.import", "import images");
    public static readonly Permission ImageUpdate = Admin("image.update", "change images");
    public static readonly Permission ImageDelete = Admin("image.delete", "delete images");
    public static readonly Permission DiskGc = Admin("disk.gc", "collect disk garbage");
    public static readonly Permission DiskGcDryRun = Admin("disk.gc-dry-run", "collect disk garbage");
    public static readonly Permission NetworkCreate = Admin("network.create", "create networks");
    public static readonly Permission NetworkDelete = Admin("network.delete", "delete networks");

    // Users, their credentials and keys: a user acts on their own profile, admins on every account.
    public static readonly Permission UserCreate = Admin("user.create", "create users");
    public static readonly Permission UserQuota = Admin("user.quota", "set quotas");
    public static readonly Permission UserList = Admin("user.list", "list users");
    public static readonly Permission UserViewOthers = Admin("user.view", "see other users");
    public static readonly Permission UserPasswordReset = Admin("user.password-reset", "reset passwords");
    public static readonly Permission UserDisable = Admin("user.disable", "disable users");
    public static readonly Permission UserEnable = Admin("user.enable", "enable users");
    public static readonly Permission UserDelete = Admin("user.delete", "delete users");
    public static readonly Permission UserUnlock = Admin("user.unlock", "unlock logins");
    public static readonly Permission UserPassword = Owner("user.password", "change their password");
    public static readonly Permission UserKeyAdd = Owner("user.key.add", "add SSH keys");
    public static readonly Permission UserKeyRemove = Owner("user.key.remove", "remove SSH keys");
    public static readonly Permission TokenCreate = Owner("token.create", "create tokens");
    public static readonly Permission TokenRevoke = Owner("token.revoke", "revoke tokens");
    /// <summary>Widens listing tokens from the caller's own to another user's or everyone's.</summary>
    public static readonly Permission TokenListOthers = Admin("token.list", "see other users' tokens");

    // Policies: owners write policies over their own VMs; these widen it.
    public static readonly Permission PolicyCreate = Owner("policy.create", "write policies");
    public static readonly Permission PolicyDelete = Owner("policy.delete", "delete policies");
    public static readonly Permission PolicyEnable = Owner("policy.enable", "enable policies");
    public static readonly Permission PolicyDisable = Owner("policy.disable", "disable policies");
    public static readonly Permission PolicyScript = Admin("policy.create",
        "write C# script policies (they run as trusted code in the server; admin-only)");
    public static readonly Permission PolicyAdminScope = Admin("policy.create",
        "write admin-scope policies; use 'scope: user' for a policy over your own VMs");

    /// <summary>Widens <see cref="PolicyCreate"/>: a policy owned by another user (the refusal says how to fix it).</summary>
    public static Permission PolicyForOwner(string owner, string caller) =>
        Admin("policy.create", $"write policies owned by another user ('{owner}'); write 'owner: {caller}'");

    /// <summary>Widens <see cref="PolicyCreate"/>: an admin-only action in the policy.</summary>
    public static Permission PolicyAdminAction(string action) => Admin("policy.create", $"use the {action} action (admin-only)");
}
