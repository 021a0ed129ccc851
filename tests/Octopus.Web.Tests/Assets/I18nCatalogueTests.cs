using System.Text.Json;
using System.Text.RegularExpressions;
using Octopus.TestKit;

namespace Octopus.Web.Tests.Assets;

/// <summary>The web UI's message catalogues (wwwroot/js/i18n/en.json and it.json, read by js/i18n.js): Italian has every
/// English key and no other, no message is empty, and each Italian message has the same '{placeholders}' as the English
/// one (a missing one would show a hole, an extra one a literal '{name}'). And every key a script asks for with
/// t('…') exists in English, so no page shows a raw key.</summary>
public partial class I18nCatalogueTests
{
    private static readonly string WebRoot = Path.Combine(TestProcesses.RepositoryRoot(), "src", "Octopus.Server", "Web", "wwwroot");

    private static Dictionary<string, string> Catalogue(string language) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(WebRoot, "js", "i18n", language + ".json")))!;

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    private static string[] PlaceholdersOf(string message) =>
        [.. Placeholder().Matches(message).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal)];

    [Fact]
    public void Italian_HasEveryEnglishKey_NoEmptyMessage_SamePlaceholders()
    {
        var en = Catalogue("en");
        var it = Catalogue("it");
        en.Should().HaveCountGreaterThan(100);

        en.Keys.Except(it.Keys).Should().BeEmpty("every English message needs an Italian one");
        it.Keys.Except(en.Keys).Should().BeEmpty("an Italian message without an English one is never asked for");
        en.Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => "en " + kv.Key)
            .Concat(it.Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => "it " + kv.Key)).Should().BeEmpty();
        var mismatched = en.Where(kv => it.TryGetValue(kv.Key, out var i) && !PlaceholdersOf(kv.Value).SequenceEqual(PlaceholdersOf(i)))
            .Select(kv => $"{kv.Key}: en {{{string.Join(",", PlaceholdersOf(kv.Value))}}} it {{{string.Join(",", PlaceholdersOf(it[kv.Key]))}}}");
        mismatched.Should().BeEmpty();
    }

    [GeneratedRegex(@"\bt\('([A-Za-z0-9_.]+)'")]
    private static partial Regex LiteralKey();

    [GeneratedRegex(@"nav: '([A-Za-z0-9_.]+)'")]
    private static partial Regex NavKey();

    [Fact]
    public void EveryLiteralKeyTheScriptsAskFor_IsInTheEnglishCatalogue()
    {
        var en = Catalogue("en");
        var asked = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var script in Directory.GetFiles(Path.Combine(WebRoot, "js"), "*.js", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(script);
            foreach (Match m in LiteralKey().Matches(text)) asked.Add(m.Groups[1].Value);
            foreach (Match m in NavKey().Matches(text)) asked.Add(m.Groups[1].Value);
        }
        asked.Should().Contain(["nav.networks", "login.title", "vms.title", "new.title", "networks.title", "profile.language"]);
        asked.Where(k => !en.ContainsKey(k)).Should().BeEmpty("a key missing from the catalogue shows as the raw key on the page");
    }
}
