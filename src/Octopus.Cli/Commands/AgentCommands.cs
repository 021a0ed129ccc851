using System.CommandLine;
using Octopus.Agent;
using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Commands;

/// <summary><c>agent</c>: runs the Octopus host agent in this process (Octopus.Agent does the work; this only maps the
/// command line). It drives QEMU on this node and registers with the server using the cluster join token, given with
/// the global <c>--token</c> option (or $OCTOPUS_JOIN_TOKEN). Exit 2 on a bad option or a busy port.</summary>
internal static class AgentCommands
{
    public static Command Build(CliGlobals g)
    {
        var listen = new Option<string>("--listen") { Description = "ADDRESS:PORT to listen on, e.g. 127.0.0.1:7001", HelpName = "ADDRESS:PORT", Required = true };
        var data = new Option<string>("--data") { Description = "The agent's data folder (keep it short: QMP socket paths must fit in 107 bytes)", HelpName = "DIR", Required = true };
        var storage = new Option<string>("--storage") { Description = "The shared storage folder (the server's Octopus:Storage:Folder)", HelpName = "DIR", Required = true };
        var server = new Option<string>("--server") { Description = "The server's URL, e.g. http://127.0.0.1:5080", HelpName = "URL", Required = true };
        var name = new Option<string?>("--name") { Description = "Host name (default HOSTNAME-PORT)", HelpName = "NAME" };
        var cores = new Option<int?>("--cores") { Description = "Cores offered to VMs (default: the machine's)", HelpName = "N" };
        var memory = CommonOptions.Size("--memory", "Memory offered to VMs (default: the machine's)");
        var kernel = new Option<string?>("--kernel") { Description = "Guest kernel for direct boot (default STORAGE/boot/vmlinux)", HelpName = "FILE" };
        var initrd = new Option<string?>("--initrd") { Description = "Guest initrd (default STORAGE/boot/initramfs.gz)", HelpName = "FILE" };
        var uplink = new Option<string?>("--uplink") { Description = "Interface reaching the other hosts: joined to the networks' bridges (IFACE.VLAN for --vlan networks)", HelpName = "IFACE" };
        var command = new Command("agent", "Run the host agent: drive QEMU on this node for the server (join with --token)")
        {
            listen, data, storage, server, name, cores, memory, kernel, initrd, uplink,
        };
        command.SetAction(async (parse, ct) =>
        {
            var token = parse.GetValue(g.Token) ?? g.Host.GetEnvironmentVariable("OCTOPUS_JOIN_TOKEN");
            if (string.IsNullOrWhiteSpace(token))
            {
                await g.Host.Out.WriteLineAsync("error: --token: give the cluster join token (the server's Octopus:Agents:JoinToken), or set OCTOPUS_JOIN_TOKEN.");
                return 2;
            }
            return await AgentHost.RunAsync(new AgentOptions
            {
                Listen = parse.GetValue(listen)!, Data = parse.GetValue(data)!, Storage = parse.GetValue(storage)!, Server = parse.GetValue(server)!,
                Token = token, Name = parse.GetValue(name), Cores = parse.GetValue(cores), MemoryBytes = parse.GetValue(memory)?.Bytes,
                Kernel = parse.GetValue(kernel), Initrd = parse.GetValue(initrd), Uplink = parse.GetValue(uplink),
            }, g.Host.Out, ct);
        });
        return command;
    }
}
