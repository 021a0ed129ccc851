using Octopus.Client;
using Octopus.Contracts;
using Spectre.Console;

namespace Octopus.Cli.Rendering;

/// <summary>Follows a migration's operation to its end. On a terminal it draws a progress bar fed by the progress the
/// driver reports (polled from <c>GET /vms/{id}/operation</c>); in a pipe or with --json it waits silently.</summary>
public static class MigrationProgress
{
    public static async Task<VmOperationDto> WaitAsync(Output output, OctopusClient client, VmDto vm, string destination, TimeSpan timeout,
        CancellationToken ct)
    {
        if (!output.Interactive)
            return await client.Vms.WaitForOperationAsync(vm.Id, timeout, progress: null, ct).ConfigureAwait(false);

        return await output.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Migrating [bold]{Markup.Escape(vm.Name)}[/] to {Markup.Escape(destination)}", maxValue: 100);
                var progress = new Callback(op =>
                {
                    if (op.Progress is { } p) task.Value = Math.Max(task.Value, p * 100);
                    if (op.Status is "Succeeded") task.Value = 100;
                });
                var final = await client.Vms.WaitForOperationAsync(vm.Id, timeout, progress, ct).ConfigureAwait(false);
                task.StopTask();
                return final;
            }).ConfigureAwait(false);
    }

    /// <summary>Reports synchronously on the polling thread; <see cref="Progress{T}"/> would post out of order.</summary>
    private sealed class Callback(Action<VmOperationDto> report) : IProgress<VmOperationDto>
    {
        public void Report(VmOperationDto value) => report(value);
    }
}
