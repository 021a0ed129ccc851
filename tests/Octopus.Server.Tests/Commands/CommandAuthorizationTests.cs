using System.Net.Http.Json;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Disks;
using Octopus.Application.Identity;
using Octopus.Application.Networks;
using Octopus.Application.Power;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Commands;

/// <summary>Commands below HTTP: each admin command, resolved from the server's own services and run with an ordinary
/// user as the caller, is refused by its declared <see cref="Permission"/> before its body runs: a Forbidden error
/// in the permission's words, one failed audit entry under the permission's action, nothing else changed. The case
/// list is checked against <see cref="Permissions"/>, so a new admin command must be added here.</summary>
public sealed class CommandAuthorizationTests
{
    private sealed record Case(Permission Permission, Func<IServiceProvider, Caller, CancellationToken, Task> Run);

    private static Case C<T>(Permission p, Func<T, Caller, CancellationToken, Task> run) where T : notnull =>
        new(p, (sp, caller, ct) => run(sp.GetRequiredService<T>(), caller, ct));

    /// <summary>Every admin command. Arguments are valid enough to pass every check but the caller's role.</summary>
    private static readonly Case[] AdminCommands =
    [
        C<UserCommands>(Permissions.UserCreate, (c, who, ct) => c.CreateAsync(who, new UserCreateRequest("mallory", "password-123", "admin", null), ct)),
        C<UserCommands>(Permissions.UserQuota, (c, who, ct) => c.SetQuotaAsync(who, "bob", new QuotaDto(null, null, null, null), ct)),
        C<UserLifecycleCommands>(Permissions.UserPasswordReset, (c, who, ct) => c.ResetAsync(who, "admin", new PasswordResetRequest("new-password-1"), ct)),
        C<UserLifecycleCommands>(Permissions.UserDisable, (c, who, ct) => c.DisableAsync(who, "admin", ct)),
        C<UserLifecycleCommands>(Permissions.UserEnable, (c, who, ct) => c.EnableAsync(who, "admin", ct)),
        C<UserLifecycleCommands>(Permissions.UserDelete, (c, who, ct) => c.DeleteAsync(who, "admin", null, false, ct)),
        C<ImageCommands>(Permissions.ImageImport, (c, who, ct) => c.ImportAsync(who, new ImageImportRequest("evil", "evil.qcow2", null), ct)),
        C<ImageCommands>(Permissions.ImageUpdate, (c, who, ct) => c.UpdateAsync(who, "debian-12", new ImageUpdateRequest(CloudInit: true), ct)),
        C<ImageCommands>(Permissions.ImageDelete, (c, who, ct) => c.DeleteAsync(who, "debian-12", ct)),
        C<VmDiskCommands>(Permissions.DiskGc, (c, who, ct) => c.CollectAsync(who, dryRun: false, ct)),
        C<VmDiskCommands>(Permissions.DiskGcDryRun, (c, who, ct) => c.CollectAsync(who, dryRun: true, ct)),
        C<NetworkCommands>(Permissions.NetworkCreate, (c, who, ct) => c.CreateAsync(who,
            new NetworkCreateRequest("lab", "br-lab", "10.77.0.0/24", "10.77.0.1", "10.77.0.10-10.77.0.250", "lab.octopus"), ct)),
        C<NetworkCommands>(Permissions.NetworkDelete, (c, who, ct) => c.DeleteAsync(who, "lab", ct)),
        C<HostCommands>(Permissions.HostMaintenance, (c, who, ct) => c.SetMaintenanceAsync(who, "h-1", true, ct)),
        C<HostCommands>(Permissions.HostPowerOn, (c, who, ct) => c.PowerOnAsync(who, "h-1", ct)),
        C<HostCommands>(Permissions.HostPowerOff, (c, who, ct) => c.PowerOffAsync(who, "h-1", ct)),
        C<PowerConfigCommands>(Permissions.HostPowerConfig, (c, who, ct) => c.SetAsync(who, "h-1", new HostPowerConfigRequest("wol", Mac: "52:54:00:12:34:56"), ct)),
        C<VmCommands>(Permissions.VmMigrate, (c, who, ct) => c.MigrateAsync(who, "web", "h-2", ct)),
    ];

    /// <summary>Admin permissions this test does not run, and where they are covered: queries checked by their
    /// endpoint, widenings a command asks only with the data that calls for it.</summary>
    private static readonly Dictionary<Permission, string> CoveredElsewhere = new()
    {
        [Permissions.VmCreateForOthers] = "VmCreateForOthers_IsRefusedToAUser (below)",
        [Permissions.VmRestartElsewhere] = "policy actions run as the policy's owner (PolicyActionTests)",
        [Permissions.TokenListOthers] = "PersonalTokenTests",
        [Permissions.PolicyScript] = "PolicyApiTests (scripts are admin-only)",
        [Permissions.PolicyAdminScope] = "PolicyApiTests",
        [Permissions.PowerHistoryView] = "PowerHistoryApiTests",
        [Permissions.HostHistoryView] = "HistoryEndpointTests.HostHistory_AdminReadsLoadAndWatts_UserGets403",
        [Permissions.ClusterView] = "ClusterStatusTests",
        [Permissions.PlanView] = "the plan API tests",
        [Permissions.PlanApply] = "the plan API tests",
        [Permissions.PlanMode] = "the plan API tests",
        [Permissions.PlanDismiss] = "the plan API tests",
        [Permissions.UserList] = "the users API tests",
        [Permissions.UserViewOthers] = "the users API tests",
        [Permissions.UserUnlock] = "LoginThrottleTests",
    };

    [Fact]
    public void EveryAdminPermission_IsRunHere_OrNamedAsCoveredElsewhere()
    {
        var declared = typeof(Permissions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (Permission)f.GetValue(null)!).Where(p => p.Access == Access.Admin).ToList();
        declared.Should().NotBeEmpty();
        var run = AdminCommands.Select(c => c.Permission).ToHashSet();
        declared.Where(p => !run.Contains(p) && !CoveredElsewhere.ContainsKey(p)).Select(p => p.ToString())
            .Should().BeEmpty("a new admin command needs a case in AdminCommands");
    }

    [Fact]
    public void Declarations_AreConsistent()
    {
        var all = typeof(Permissions).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (Permission)f.GetValue(null)!).ToList();
        all.Should().OnlyContain(p => p.Action.Length > 0 && p.Purpose.Length > 0);
        // One action, one rule about who may run it (widenings are admin on an owner's action, by design).
        all.GroupBy(p => p.Action).Where(g => g.Select(p => p.Access).Distinct().Count() > 1)
            .Select(g => g.Key).Should().BeSubsetOf(["vm.create", "policy.create"]);
    }

    [Fact]
    public async Task AdminCommands_RunByAUser_AreRefusedByTheirDeclaredPermission_AuditedOnce_NothingChanged()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web"), ct)).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("web", "Running"); // settled: the control loop changes nothing while the cases run
        await server.NewUserAsync("bob");
        var bob = await CallerAsync(server, "bob", ct);

        foreach (var c in AdminCommands)
        {
            long auditBefore;
            string stateBefore;
            await using (var scope = server.App.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
                auditBefore = await db.Audit.CountAsync(ct);
                stateBefore = await StateAsync(db, ct);
            }
            await using (var scope = server.App.Services.CreateAsyncScope())
            {
                var run = () => c.Run(scope.ServiceProvider, bob, ct);
                var refused = (await run.Should().ThrowAsync<DomainException>($"{c.Permission} run by a user")).Which;
                refused.Kind.Should().Be(ErrorKind.Forbidden, c.Permission.ToString());
                refused.Message.Should().Be($"Only administrators may {c.Permission.Purpose}.");
            }
            await using (var scope = server.App.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
                var added = await db.Audit.AsNoTracking().Where(a => a.Id > 0).OrderBy(a => a.Id).Skip((int)auditBefore).ToListAsync(ct);
                added.Should().ContainSingle(c.Permission.ToString());
                added[0].Actor.Should().Be("bob");
                added[0].Action.Should().Be(c.Permission.Action);
                added[0].Succeeded.Should().BeFalse();
                (await StateAsync(db, ct)).Should().Be(stateBefore, $"{c.Permission} refused must change nothing");
            }
        }
    }

    [Fact]
    public async Task VmCreateForOthers_IsRefusedToAUser_AndAllowedToAnAdmin()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServerApp.StartAsync();
        await server.NewUserAsync("bob");
        await server.NewUserAsync("carol");
        var bob = await CallerAsync(server, "bob", ct);
        var admin = await CallerAsync(server, "admin", ct);
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var vms = scope.ServiceProvider.GetRequiredService<VmCommands>();
            var asBob = () => vms.CreateAsync(bob, ApiExtensions.Vm("for-carol") with { Owner = "carol" }, ct);
            (await asBob.Should().ThrowAsync<DomainException>()).Which.Message.Should().Be("Only administrators may create VMs for other users.");
        }
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var vm = await scope.ServiceProvider.GetRequiredService<VmCommands>().CreateAsync(admin, ApiExtensions.Vm("for-carol") with { Owner = "carol" }, ct);
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            (await db.Users.AsNoTracking().SingleAsync(u => u.Id == vm.OwnerId, ct)).Name.ToString().Should().Be("carol");
        }
    }

    private static async Task<Caller> CallerAsync(TestServerApp server, string name, CancellationToken ct)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var users = await db.Users.AsNoTracking().ToListAsync(ct);
        var user = users.Single(u => u.Name.ToString() == name);
        return new Caller(user.Id, name, user.Role == Domain.Users.UserRole.Admin);
    }

    /// <summary>What an admin command could change: users (role, quota, state), images, networks, hosts, VMs,
    /// operations, power bindings.</summary>
    private static async Task<string> StateAsync(OctopusDbContext db, CancellationToken ct)
    {
        var users = (await db.Users.AsNoTracking().ToListAsync(ct)).Select(u => $"{u.Name}:{u.Role}:{u.Quota}:{u.DisabledAt}:{u.PasswordHash}").Order();
        var hosts = (await db.Hosts.AsNoTracking().ToListAsync(ct)).Select(h => $"{h.Name}:{h.Maintenance}:{h.PowerState}").Order();
        var vms = (await db.Vms.AsNoTracking().ToListAsync(ct)).Select(v => $"{v.Name}:{v.HostId}:{v.State}").Order();
        var counts = new[]
        {
            await db.Networks.CountAsync(ct), await db.Operations.CountAsync(ct), await db.PowerBindings.CountAsync(ct), await db.Images.CountAsync(ct),
        };
        return string.Join("|", users.Concat(hosts).Concat(vms).Append(string.Join(",", counts)));
    }
}
