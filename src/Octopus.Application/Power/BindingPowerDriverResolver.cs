using System.Net;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Drivers;
using Octopus.Drivers.Power.Ipmi;
using Octopus.Drivers.Power.Redfish;
using Octopus.Drivers.Power.WakeOnLan;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Power;

/// <summary>A host with a power binding (ipmi, redfish, wol) is switched by a <see cref="BoundPowerDriver"/> built from
/// it; every other host (no binding, or method agent/simulated) by the resolver this one wraps.</summary>
public sealed class BindingPowerDriverResolver(IPowerDriverResolver inner, IServiceScopeFactory scopes, IPowerSecrets secrets,
    IHeartbeatWatch? heartbeats, PowerSequenceOptions options, TimeProvider time) : IPowerDriverResolver
{
    /// <summary>The key of the node-level power resolver (the simulated cluster's or the agents'), which
    /// this resolver falls back to for hosts without an ipmi, redfish or wol binding.</summary>
    public const string NodePowerKey = "node";

    public IHostPowerDriver For(HostId host)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var binding = db.PowerBindings.AsNoTracking().FirstOrDefault(p => p.HostId == host);
        if (binding is null || binding.Method is PowerMethod.Agent or PowerMethod.Simulated) return inner.For(host);
        var name = db.Hosts.AsNoTracking().Where(h => h.Id == host).Select(h => h.Name).FirstOrDefault() ?? host.ToString();
        var order = PowerConfigCommands.SplitFallback(binding.Fallback).Prepend(binding.Method)
            .Where(m => m is PowerMethod.Ipmi or PowerMethod.Redfish or PowerMethod.WakeOnLan).ToList();
        return new BoundPowerDriver(host, name, order, m => Control(binding, m), heartbeats, options, time);
    }

    /// <summary>The control for <paramref name="method"/> from the binding (a fallback BMC method uses its default port).</summary>
    public IHostPowerControl Control(PowerBindingRecord b, PowerMethod method)
    {
        var primary = method == b.Method;
        return method switch
        {
            PowerMethod.Ipmi => new IpmiPowerDriver(new IpmiTarget(b.Address!, b.User!, secrets.Open(b.SealedPassword!),
                primary ? b.Port ?? IpmiTarget.DefaultPort : IpmiTarget.DefaultPort)),
            PowerMethod.Redfish => new RedfishPowerDriver(new RedfishTarget(
                PowerConfigCommands.RedfishEndpoint(b.Address!, primary ? b.Port : null)!, b.User!, secrets.Open(b.SealedPassword!))
            { PinnedSha256 = b.TlsPinSha256, CaCertificatePem = b.CaCertificatePem }),
            PowerMethod.WakeOnLan => new WakeOnLanPowerDriver(new WakeOnLanTarget(
                WakeOnLanTarget.TryParseMac(b.Mac, out _)!,
                IPAddress.Parse(primary ? b.Address ?? PowerConfigCommands.DefaultBroadcast : PowerConfigCommands.DefaultBroadcast),
                primary ? b.Port ?? WakeOnLanTarget.DefaultPort : WakeOnLanTarget.DefaultPort)),
            _ => throw new DriverException($"power method {PowerMethodNames.Name(method)} is not switched through a power control."),
        };
    }
}

/// <summary>Heartbeats as the agent registry heard them.</summary>
public sealed class AgentHeartbeatWatch(Agents.AgentRegistry registry) : IHeartbeatWatch
{
    public bool HeardSince(HostId host, DateTimeOffset since) =>
        registry.Liveness().FirstOrDefault(v => v.Record.Id == host.Value) is { } view && view.LastHeard > since;
}
