using System.CommandLine;
using System.Net;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Client;

namespace Octopus.Cli.Commands;

/// <summary><c>login</c>, <c>logout</c>, <c>whoami</c>: getting a token and keeping it in the per-user config file.</summary>
internal static class AuthCommands
{
    public static IEnumerable<Command> Build(CliGlobals g) => [Login(g), Logout(g), WhoAmI(g)];

    private static Command Login(CliGlobals g)
    {
        var user = new Option<string?>("--user", "-u") { Description = "User name (default: the last one that logged in)", HelpName = "NAME" };
        var passwordStdin = CommonOptions.PasswordStdin();
        var command = new Command("login", "Log in to a server and save the token in the per-user config file")
        {
            user, passwordStdin,
        };
        g.Action(command, async (ctx, parse, ct) =>
        {
            var url = ctx.ResolveUrl();
            var name = parse.GetValue(user) ?? ctx.Config.Username
                ?? throw CliException.Usage("login needs a user name.", "Pass --user NAME.");
            var password = CommonOptions.ReadPassword(ctx, parse.GetValue(passwordStdin), $"Password for {name} at {url}:");

            Contracts.TokenResponse token;
            try
            {
                token = await OctopusClient.LoginAsync(url, name, password, ctx.Host.ClientOptions, ctx.NewHandler(), ct);
            }
            catch (OctopusApiException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                // Wrong credentials are a refusal, not "not logged in": the user is trying to log in.
                throw CliException.Rejected(e.Message, "Check the user name and password.");
            }

            ctx.ConfigStore.Save(new CliConfig
            {
                Url = url.ToString(), Token = token.Token, Username = token.Username, Role = token.Role, ExpiresAt = token.ExpiresAt,
            });
            if (ctx.Json)
                ctx.Output.WriteJson(new { url = url.ToString(), token.Username, token.Role, token.ExpiresAt, config = ctx.ConfigStore.Path });
            else
                ctx.Output.Note($"Logged in to {url} as {token.Username} ({token.Role}); token saved in {ctx.ConfigStore.Path} " +
                                $"(valid until {Format.Time(token.ExpiresAt)}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Logout(CliGlobals g)
    {
        var command = new Command("logout", "Forget the saved token (the server URL is kept for the next login)");
        g.Action(command, (ctx, _, _) =>
        {
            var config = ctx.Config;
            var had = config.Token is not null;
            if (had) ctx.ConfigStore.Save(config with { Token = null, ExpiresAt = null, Role = null });
            if (ctx.Json) ctx.Output.WriteJson(new { loggedOut = had, config = ctx.ConfigStore.Path });
            else ctx.Output.Note(had ? $"Logged out of {config.Url}." : "Not logged in; nothing to do.");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command WhoAmI(CliGlobals g)
    {
        var command = new Command("whoami", "Show who the token belongs to, with quota and usage");
        g.Action(command, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var me = await client.GetMeAsync(ct);
            if (ctx.Json) ctx.Output.WriteJson(me);
            else ctx.Output.Write(Views.QuotaDetails(me.Username, me.Role, me.Quota, me.Usage, me.Provider));
            return ExitCodes.Ok;
        });
        return command;
    }
}
