using Octopus.Client;
using Octopus.Contracts;
using Spectre.Console;

namespace Octopus.Cli.Rendering;

/// <summary>Follows a VM through an operation. On a terminal it shows a spinner with the VM's current state; in a
/// pipe or with --json it waits silently, so scripts get only the final result.</summary>
public static class OperationProgress
{
    public static async Task<VmDto?> WaitAsync(Output output, OctopusClient client, VmDto vm, string verb,
        Func<VmDto, bool> until, TimeSpan timeout, CancellationToken ct)
    {
        if (!output.Interactive)
            return await client.Vms.WaitForStateAsync(vm, until, timeout, progress: null, ct).ConfigureAwait(false);

        return await output.Console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Line(verb, vm), async ctx =>
            {
                var progress = new Callback<VmDto>(v => ctx.Status(Line(verb, v)));
                return await client.Vms.WaitForStateAsync(vm, until, timeout, progress, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>As for VMs: follows a host's power state with a spinner on a terminal, silently otherwise.</summary>
    public static async Task<HostDto> WaitAsync(Output output, OctopusClient client, HostDto host, string verb,
        Func<HostDto, bool> until, TimeSpan timeout, CancellationToken ct)
    {
        if (!output.Interactive)
            return await client.Hosts.WaitForAsync(host.Name, until, timeout, progress: null, ct).ConfigureAwait(false);

        return await output.Console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Line(verb, host), async ctx =>
            {
                var progress = new Callback<HostDto>(h => ctx.Status(Line(verb, h)));
                return await client.Hosts.WaitForAsync(host.Name, until, timeout, progress, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private static string Line(string verb, HostDto host) =>
        $"{Markup.Escape(verb)} [bold]{Markup.Escape(host.Name)}[/]: {Format.PowerMarkup(host.PowerState, host.Maintenance)}";

    private static string Line(string verb, VmDto vm)
    {
        var line = $"{Markup.Escape(verb)} [bold]{Markup.Escape(vm.Name)}[/]: {Format.StateMarkup(vm.State)}";
        if (vm.Host is { Length: > 0 } host) line += $" on {Markup.Escape(host)}";
        if (vm.StatusReason is { Length: > 0 } reason) line += $" [grey]({Markup.Escape(reason)})[/]";
        return line;
    }

    /// <summary>Reports synchronously on the polling thread; <see cref="Progress{T}"/> would post out of order.</summary>
    private sealed class Callback<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
