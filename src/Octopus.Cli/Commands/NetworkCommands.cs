using System.CommandLine;
using System.Text.Json;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary><c>network create|list|show|delete</c>: the networks VMs attach to. Octopus hands out each NIC's MAC and
/// address from them.</summary>
internal static class NetworkCommands
{
    public static Command Build(CliGlobals g)
    {
        var network = new Command("network", "Define the networks VMs attach to (admins); list the ones you may use");
        network.Add(Create(g));
        network.Add(List(g));
        network.Add(Show(g));
        network.Add(Delete(g));
        return network;
    }

    private static Argument<string> NetworkArgument() => new("network") { Description = "The network's name or id", HelpName = "NAME" };

    private static Command Create(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "Network name (lower-case letters, digits, '-')", HelpName = "NAME" };
        var bridge = new Option<string>("--bridge") { Description = "Host bridge the NICs plug into, e.g. br-lab", Required = true, HelpName = "BRIDGE" };
        var subnet = new Option<string>("--subnet") { Description = "Subnet in CIDR form, e.g. 10.77.0.0/24", Required = true, HelpName = "CIDR" };
        var gateway = new Option<string>("--gateway") { Description = "Gateway address inside the subnet, outside the range", Required = true, HelpName = "IP" };
        var range = new Option<string>("--range") { Description = "Addresses Octopus hands out, FIRST-LAST", Required = true, HelpName = "FIRST-LAST" };
        var domain = new Option<string>("--domain") { Description = "DNS domain VMs are named in (NAME.DOMAIN)", Required = true, HelpName = "DOMAIN" };
        var vlan = new Option<int?>("--vlan") { Description = "802.1Q VLAN tag between hosts (1-4094); default untagged", HelpName = "N" };
        var users = new Option<string[]>("--user")
        {
            Description = "Only this user may use the network (repeat for more); default: everyone", HelpName = "USER", Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("create", "Create a network (admins only)") { name, bridge, subnet, gateway, range, domain, vlan, users };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var dto = await client.Networks.CreateAsync(new NetworkCreateRequest(parse.GetValue(name)!, parse.GetValue(bridge)!, parse.GetValue(subnet)!,
                parse.GetValue(gateway)!, parse.GetValue(range)!, parse.GetValue(domain)!, parse.GetValue(vlan),
                parse.GetValue(users) is { Length: > 0 } u ? u : null), ct);
            if (ctx.Json) ctx.Output.WriteJson(dto);
            else ctx.Output.Note($"Created network {dto.Name}: {dto.Subnet} on {dto.Bridge}, {dto.Size} addresses ({dto.Range}), names *.{dto.Domain}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliGlobals g)
    {
        var command = new Command("list", "List networks (the ones you may use; admins see all) with used and free addresses");
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var networks = await client.Networks.ListAsync(ct);
            if (ctx.Json) ctx.Output.WriteJson(networks);
            else if (networks.Count == 0) ctx.Output.Note("No networks.");
            else ctx.Output.Write(Views.NetworkTable(ctx.Output, networks));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliGlobals g)
    {
        var network = NetworkArgument();
        var command = new Command("show", "Show one network: addresses, free and used counts, who may use it, and which VM holds each used address") { network };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var dto = await client.Networks.GetAsync(parse.GetValue(network)!, ct);
            // Which VM holds each used address (users see their own VMs' only).
            var addresses = await client.Networks.AddressesAsync(dto.Id, ct);
            if (ctx.Json)
            {
                // The network's own fields as `network list --json` gives them, plus its used addresses.
                var json = JsonSerializer.SerializeToNode(dto, Output.JsonOptions)!.AsObject();
                json["addresses"] = JsonSerializer.SerializeToNode(addresses, Output.JsonOptions);
                ctx.Output.WriteJson(json);
                return ExitCodes.Ok;
            }
            ctx.Output.Write(Views.NetworkDetails(dto));
            if (addresses.Count > 0) ctx.Output.Write(Views.NetworkAddresses(ctx.Output, addresses));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliGlobals g)
    {
        var network = NetworkArgument();
        var command = new Command("delete", "Delete a network no VM uses (admins only)") { network };
        command.Aliases.Add("rm");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var name = parse.GetValue(network)!;
            await client.Networks.DeleteAsync(name, ct);
            if (ctx.Json) ctx.Output.WriteJson(new { name, deleted = true });
            else ctx.Output.Note($"Deleted network {name}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
