using System.CommandLine;
using System.Globalization;
using Octopus.Cli.Infrastructure;
using Octopus.Domain.Units;

namespace Octopus.Cli.Commands;

/// <summary>Option builders shared by command groups, so sizes, limits and waits parse the same way everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>A size such as 4GiB, 512MiB or 20GB (Octopus.Domain.Units.ByteSize); anything else is a usage error.</summary>
    public static Option<ByteSize?> Size(string name, string description, bool required = false) => new(name)
    {
        Description = description,
        HelpName = "SIZE",
        Required = required,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
            if (ByteSize.TryParse(text, out var size) && size.Bytes > 0) return size;
            result.AddError($"'{text}' is not a size for {name}: write e.g. 4GiB, 512MiB or 20GB.");
            return null;
        },
    };

    /// <summary>A quota limit: a positive whole number, or "unlimited".</summary>
    public static Option<Limit<int>?> CountLimit(string name, string description) => new(name)
    {
        Description = description + " (a number, or 'unlimited')",
        HelpName = "N",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (IsUnlimited(text)) return new Limit<int>(null);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 0) return new Limit<int>(n);
            result.AddError($"'{text}' is not a limit for {name}: write a whole number such as 8, or 'unlimited'.");
            return null;
        },
    };

    /// <summary>A quota limit in bytes: a size, or "unlimited".</summary>
    public static Option<Limit<long>?> SizeLimit(string name, string description) => new(name)
    {
        Description = description + " (a size such as 16GiB, or 'unlimited')",
        HelpName = "SIZE",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (IsUnlimited(text)) return new Limit<long>(null);
            if (ByteSize.TryParse(text, out var size)) return new Limit<long>(size.Bytes);
            result.AddError($"'{text}' is not a limit for {name}: write a size such as 16GiB or 1TiB, or 'unlimited'.");
            return null;
        },
    };

    public static Option<bool> NoWait() => new("--no-wait")
    {
        Description = "Return as soon as the server accepts the command, without following it to the end",
    };

    public static Option<int> Timeout() => new("--timeout")
    {
        Description = "Seconds to wait for the operation to finish",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 300,
        Validators =
        {
            r =>
            {
                if (r.GetValueOrDefault<int>() <= 0) r.AddError("--timeout must be a positive number of seconds.");
            },
        },
    };

    public static Option<bool> PasswordStdin() => new("--password-stdin")
    {
        Description = "Read the password from the first line of stdin instead of prompting",
    };

    /// <summary>The password from stdin (first line) or a hidden prompt; a usage error when neither is possible.</summary>
    public static string ReadPassword(CliContext context, bool fromStdin, string prompt)
    {
        string? password;
        if (fromStdin)
        {
            password = context.Host.In.ReadLine();
            if (password is null) throw CliException.Usage("--password-stdin was given but stdin was empty.");
        }
        else
        {
            password = context.Host.InputIsTerminal ? context.Host.ReadSecret(prompt) : null;
            if (password is null)
                throw CliException.Usage("no terminal to ask for a password on.",
                    "Pipe it in with --password-stdin, e.g. `echo \"$PASS\" | octopus login --password-stdin …`.");
        }
        password = password.TrimEnd('\r', '\n');
        if (password.Length == 0) throw CliException.Usage("the password is empty.");
        return password;
    }

    private static bool IsUnlimited(string text) =>
        text.Equals("unlimited", StringComparison.OrdinalIgnoreCase) || text.Equals("none", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A quota limit given on the command line: <see cref="Value"/> null means "unlimited".</summary>
internal readonly record struct Limit<T>(T? Value) where T : struct;
