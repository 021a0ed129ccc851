using System.CommandLine;
using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Commands;

/// <summary><c>user passwd|disable|enable|delete|unlock</c>: a user account's life after creation.</summary>
internal static class UserLifecycleCommands
{
    public static IEnumerable<Command> Build(CliGlobals g) => [Passwd(g), Disable(g), Enable(g), Delete(g), Unlock(g)];

    private static Command Passwd(CliGlobals g)
    {
        var name = new Argument<string?>("name") { Description = "Set this user's password (admins); omit to change your own", HelpName = "NAME", Arity = ArgumentArity.ZeroOrOne };
        var stdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the passwords from stdin: the current one then the new one (own password), or only the new one (NAME given)",
        };
        var command = new Command("passwd", "Change your password (asks for the current one), or set another user's (admins); their logins end") { name, stdin };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var target = parse.GetValue(name);
            var fromStdin = parse.GetValue(stdin);
            if (target is null)
            {
                var current = CommonOptions.ReadPassword(ctx, fromStdin, "Current password:");
                var next = CommonOptions.ReadPassword(ctx, fromStdin, "New password:");
                await client.Users.ChangeOwnPasswordAsync(current, next, ct);
                ctx.Output.Note("Password changed; your other logins and sessions have ended (personal tokens stay).");
            }
            else
            {
                var next = CommonOptions.ReadPassword(ctx, fromStdin, $"New password for {target}:");
                await client.Users.ResetPasswordAsync(target, next, ct);
                ctx.Output.Note($"Password of {target} set; their logins and sessions have ended.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Disable(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "The user to disable", HelpName = "NAME" };
        var command = new Command("disable", "Disable a user: no login, and every token and session of theirs stops working at once") { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var user = await client.Users.DisableAsync(parse.GetValue(name)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(user);
            else ctx.Output.Note($"Disabled {user.Username}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Enable(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "The user to enable", HelpName = "NAME" };
        var command = new Command("enable", "Enable a disabled user again") { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var user = await client.Users.EnableAsync(parse.GetValue(name)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(user);
            else ctx.Output.Note($"Enabled {user.Username}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Unlock(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "The login name to unlock", HelpName = "NAME" };
        var command = new Command("unlock", "Clear a name's lockout after repeated failed logins") { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            await client.Users.UnlockAsync(parse.GetValue(name)!, ct);
            ctx.Output.Note($"Unlocked {parse.GetValue(name)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "The user to delete", HelpName = "NAME" };
        var transfer = new Option<string?>("--transfer-to") { Description = "Give the user's VMs and policies to this user", HelpName = "USER" };
        var deleteVms = new Option<bool>("--delete-vms") { Description = "Delete the user's VMs (and policies) too; waits until they are gone" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the VMs to be deleted", DefaultValueFactory = _ => 300, HelpName = "SECONDS" };
        var command = new Command("delete", "Delete a user; refused while they own VMs unless --transfer-to USER or --delete-vms")
        {
            name, transfer, deleteVms, timeout,
        };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var username = parse.GetValue(name)!;
            var deadline = DateTimeOffset.UtcNow.AddSeconds(Math.Max(1, parse.GetValue(timeout)));
            var pending = await client.Users.DeleteAsync(username, parse.GetValue(transfer), parse.GetValue(deleteVms), ct);
            if (pending is not null && !ctx.Json) ctx.Output.Note(pending.Detail);
            while (pending is not null)
            {
                if (DateTimeOffset.UtcNow > deadline)
                    throw CliException.Rejected($"{pending.VmsBeingDeleted} VM(s) of {username} are still being deleted.",
                        $"Run `octopus user delete {username} --delete-vms` again later.");
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
                pending = await client.Users.DeleteAsync(username, null, true, ct);
            }
            if (ctx.Json) ctx.Output.WriteJson(new { username, deleted = true });
            else ctx.Output.Note($"Deleted {username}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
