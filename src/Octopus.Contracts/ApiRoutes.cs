namespace Octopus.Contracts;

/// <summary>The REST API's routes, in one place for the server and the client.</summary>
public static class ApiRoutes
{
    public const string Base = "/api/v1";
    public const string Token = Base + "/auth/token";
    public const string Me = Base + "/me";
    public const string Health = Base + "/health";
    public const string Vms = Base + "/vms";
    public const string Hosts = Base + "/hosts";
    public const string Users = Base + "/users";
    public const string Audit = Base + "/audit";
    public const string Cluster = Base + "/cluster";
    public const string Operations = Base + "/operations";
    public const string Images = Base + "/images";
    public const string Plan = Base + "/plan";
    public const string PlanApply = Plan + "/apply";
    public const string PlanMode = Plan + "/mode";
    public const string OpenApi = "/openapi/v1.json";
    public const string Metrics = "/metrics";

    public static string Operation(string id) => $"{Operations}/{Uri.EscapeDataString(id)}";
    public static string Vm(string idOrName) => $"{Vms}/{Uri.EscapeDataString(idOrName)}";
    public static string VmAction(string idOrName, string action) => $"{Vm(idOrName)}/{action}";
    public static string VmPlacement(string idOrName) => $"{Vm(idOrName)}/placement";
    public static string VmHistory(string idOrName, string? range = null) =>
        $"{Vm(idOrName)}/history" + (range is null ? "" : $"?range={Uri.EscapeDataString(range)}");
    public static string HostHistory(string idOrName, string? range = null) =>
        $"{Host(idOrName)}/history" + (range is null ? "" : $"?range={Uri.EscapeDataString(range)}");
    public static string Host(string idOrName) => $"{Hosts}/{Uri.EscapeDataString(idOrName)}";
    public static string HostMaintenance(string idOrName) => $"{Host(idOrName)}/maintenance";
    public static string HostPowerOn(string idOrName) => $"{Host(idOrName)}/power-on";
    public static string HostPowerOff(string idOrName) => $"{Host(idOrName)}/power-off";
    public static string HostPowerConfig(string idOrName) => $"{Host(idOrName)}/power-config";
    public static string VmMigrate(string idOrName) => $"{Vm(idOrName)}/migrate";
    public static string User(string name) => $"{Users}/{Uri.EscapeDataString(name)}";
    public static string UserQuota(string name) => $"{User(name)}/quota";
    public static string UserPassword(string name) => $"{User(name)}/password";
    public static string UserDisable(string name) => $"{User(name)}/disable";
    public static string UserEnable(string name) => $"{User(name)}/enable";
    public const string MyPassword = Base + "/me/password";
    public const string MySshKeys = Base + "/me/ssh-keys";
    public static string MySshKey(string name) => $"{MySshKeys}/{Uri.EscapeDataString(name)}";
    public const string Tokens = Base + "/tokens";
    public static string TokenById(long id) => $"{Tokens}/{id}";

    public const string Policies = Base + "/policies";
    public const string PolicyTemplates = Base + "/policy-templates";
    public static string Policy(string name) => $"{Policies}/{Uri.EscapeDataString(name)}";
    public static string PolicyEnable(string name) => $"{Policy(name)}/enable";
    public static string PolicyDisable(string name) => $"{Policy(name)}/disable";
    public static string PolicyPreview(string name) => $"{Policy(name)}/preview";
    public static string PolicyHistory(string name) => $"{Policy(name)}/history";
    public static string VmLease(string idOrName) => $"{Vm(idOrName)}/lease";
    public static string VmConsole(string idOrName, int? bytes = null) =>
        $"{Vm(idOrName)}/console" + (bytes is { } b ? $"?bytes={b.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "");
    public static string VmConsoleTicket(string idOrName, string? kind = null) =>
        $"{Vm(idOrName)}/console/ticket" + (kind is null ? "" : $"?kind={Uri.EscapeDataString(kind)}");
    public static string VmSerialConsole(string idOrName) => $"{Vm(idOrName)}/console/serial";
    public static string VmGraphicalConsole(string idOrName) => $"{Vm(idOrName)}/console/vnc";
    public static string VmOperation(string idOrName) => $"{Vm(idOrName)}/operation";
    public static string VmSecurityRules(string idOrName) => $"{Vm(idOrName)}/security-rules";
    public static string VmSecurityRule(string idOrName, string ruleId) => $"{VmSecurityRules(idOrName)}/{Uri.EscapeDataString(ruleId)}";

    public const string PowerHistory = Base + "/power/history";

    public const string Networks = Base + "/networks";
    public static string Network(string idOrName) => $"{Networks}/{Uri.EscapeDataString(idOrName)}";
    public static string NetworkAddresses(string idOrName) => $"{Network(idOrName)}/addresses";
    public const string PlanDismiss = Plan + "/dismiss";

    /// <summary>Bulk VM actions (<see cref="VmBulkActionRequest"/>); a path of its own so it never collides with a VM's name.</summary>
    public const string VmActions = Base + "/vm-actions";
}

/// <summary>Routes of the web UI's session login and live updates.</summary>
public static class WebRoutes
{
    /// <summary>POST logs in with a session cookie, DELETE logs out.</summary>
    public const string Session = ApiRoutes.Base + "/auth/session";

    /// <summary>Server-sent events: <c>vm</c> (a VmDto) and <c>vm-deleted</c> (a VmDeletedEvent), for the caller's VMs (all, for admins).</summary>
    public const string Events = ApiRoutes.Base + "/events";
}
