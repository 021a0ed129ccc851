namespace Octopus.Persistence.Records;

/// <summary>One cluster-wide setting changed at run time (table <c>Settings</c>), e.g. the consolidation mode. Keys are
/// listed in <see cref="SettingKeys"/>; <see cref="Version"/> is the optimistic-concurrency token.</summary>
public sealed class SettingRecord
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    public long Version { get; set; }
}

/// <summary>The keys of <see cref="SettingRecord"/> rows, in one place.</summary>
public static class SettingKeys
{
    /// <summary><c>automatic</c>, <c>manual</c> or <c>off</c>; absent: the configured mode.</summary>
    public const string ConsolidationMode = "consolidation.mode";

    /// <summary>JSON: the dismissed plan's step identity, who dismissed it and when; absent: nothing dismissed.</summary>
    public const string DismissedPlan = "consolidation.dismissed-plan";

    /// <summary>JSON: the power history's last reading and when it was taken (energy is integrated from it).</summary>
    public const string PowerLastReading = "power.last-reading";

    /// <summary>When the legacy JSON files of a data folder were imported (the import runs once).</summary>
    public const string LegacyImport = "store.legacy-import";

    /// <summary>The disk catalog's generation, in the row's <see cref="SettingRecord.Version"/>: raised by every catalog
    /// change in its transaction, so a process holding a copy read at that generation knows the copy is current.</summary>
    public const string DiskCatalogGeneration = "disks.catalog-generation";
}
