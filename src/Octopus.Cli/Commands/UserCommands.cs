using System.CommandLine;
using System.Net;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary><c>user create|list|quota</c> (admins): accounts and their quotas; <c>passwd|disable|enable|delete|unlock</c> in <see cref="UserLifecycleCommands"/>.</summary>
internal static class UserCommands
{
    public static Command Build(CliGlobals g)
    {
        var user = new Command("user", "Manage accounts, quotas and passwords (admins; passwd for everyone)");
        user.Add(Create(g));
        user.Add(List(g));
        user.Add(Quota(g));
        foreach (var c in UserLifecycleCommands.Build(g)) user.Add(c);
        return user;
    }

    private sealed record QuotaOptions(Option<Limit<int>?> Cores, Option<Limit<long>?> Memory, Option<Limit<long>?> Disk, Option<Limit<int>?> Vms)
    {
        public static QuotaOptions Make() => new(
            CommonOptions.CountLimit("--max-cores", "Most vCPUs the user's VMs may have in total"),
            CommonOptions.SizeLimit("--max-memory", "Most memory in total"),
            CommonOptions.SizeLimit("--max-disk", "Most disk in total"),
            CommonOptions.CountLimit("--max-vms", "Most VMs"));

        public void AddTo(Command c)
        {
            c.Add(Cores);
            c.Add(Memory);
            c.Add(Disk);
            c.Add(Vms);
        }

        public bool AnyGiven(ParseResult p) =>
            p.GetValue(Cores) is not null || p.GetValue(Memory) is not null || p.GetValue(Disk) is not null || p.GetValue(Vms) is not null;

        /// <summary>The given limits laid over <paramref name="current"/>: options not given keep their current value.</summary>
        public QuotaDto Over(QuotaDto current, ParseResult p) => new(
            p.GetValue(Cores) is { } c ? c.Value : current.MaxCores,
            p.GetValue(Memory) is { } m ? m.Value : current.MaxMemoryBytes,
            p.GetValue(Disk) is { } d ? d.Value : current.MaxDiskBytes,
            p.GetValue(Vms) is { } v ? v.Value : current.MaxVms);
    }

    private static Command Create(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "The new user's name", HelpName = "NAME" };
        var admin = new Option<bool>("--admin") { Description = "Make the user an administrator" };
        var passwordStdin = CommonOptions.PasswordStdin();
        var quota = QuotaOptions.Make();
        var command = new Command("create", "Create a user (password from a prompt or --password-stdin); limits not given are unlimited")
        {
            name, admin, passwordStdin,
        };
        quota.AddTo(command);
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var username = parse.GetValue(name)!;
            var password = CommonOptions.ReadPassword(ctx, parse.GetValue(passwordStdin), $"Password for new user {username}:");
            var request = new UserCreateRequest(username, password, parse.GetValue(admin) ? "admin" : "user",
                quota.AnyGiven(parse) ? quota.Over(new QuotaDto(), parse) : null);
            var user = await client.Users.CreateAsync(request, ct);
            if (ctx.Json) ctx.Output.WriteJson(user);
            else ctx.Output.Note($"Created {user.Role} {user.Username}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliGlobals g)
    {
        var command = new Command("list", "List users with their usage and quota");
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var users = new List<UserDto>();
            await foreach (var u in client.Users.ListAsync(ct: ct)) users.Add(u);
            if (ctx.Json) ctx.Output.WriteJson(users);
            else ctx.Output.Write(Views.UserTable(ctx.Output, users));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Quota(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "The user whose quota to change", HelpName = "NAME" };
        var quota = QuotaOptions.Make();
        var command = new Command("quota", "Change a user's quota; limits not given keep their current value") { name };
        quota.AddTo(command);
        g.Action(command, async (ctx, parse, ct) =>
        {
            if (!quota.AnyGiven(parse))
                throw CliException.Usage("give at least one limit to change.", "E.g. `octopus user quota alice --max-cores 8 --max-memory 32GiB`.");
            using var client = ctx.Connect();
            var username = parse.GetValue(name)!;
            UserDto? current = null;
            await foreach (var u in client.Users.ListAsync(ct: ct))
            {
                if (string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase))
                {
                    current = u;
                    break;
                }
            }
            if (current is null)
                throw new Client.OctopusApiException(HttpStatusCode.NotFound, "not-found", "name", "Not found", $"User '{username}' was not found.");
            var updated = await client.Users.SetQuotaAsync(current.Username, quota.Over(current.Quota, parse), ct);
            if (ctx.Json) ctx.Output.WriteJson(updated);
            else ctx.Output.Write(Views.QuotaDetails(updated.Username, updated.Role, updated.Quota, updated.Usage));
            return ExitCodes.Ok;
        });
        return command;
    }
}
