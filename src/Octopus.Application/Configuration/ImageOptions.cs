using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;

namespace Octopus.Application.Configuration;

/// <summary>Section <c>Octopus:Images</c>: the images users create VMs from, a list of <c>{ "Name", "Size" }</c>. Left
/// out: debian-12 (2GiB), ubuntu-24.04 (3GiB) and windows-server-2022 (20GiB).</summary>
public sealed class ImageOptions : List<ImageOptions.Image>
{
    public const string Section = "Octopus:Images";

    public sealed class Image
    {
        public string Name { get; set; } = "";
        public string Size { get; set; } = "2GiB";
    }

    /// <summary>The images (the validator has checked them at start-up).</summary>
    public IReadOnlyList<ImageSpec> ImageSpecs() => Specs((key, problem) => throw new ConfigurationException($"{Section}:{key}", problem));

    internal IReadOnlyList<ImageSpec> Specs(Action<string, string> fail)
    {
        IReadOnlyList<Image> images = Count > 0 ? this :
            [new() { Name = "debian-12", Size = "2GiB" }, new() { Name = "ubuntu-24.04", Size = "3GiB" }, new() { Name = "windows-server-2022", Size = "20GiB" }];
        var specs = new List<ImageSpec>();
        for (var i = 0; i < images.Count; i++)
        {
            if (ConfigurationValues.Size(images[i].Size) is not { } size) { fail($"{i}:Size", ConfigurationValues.NotASize(images[i].Size)); continue; }
            try { specs.Add(new ImageSpec(ImageName.Parse(images[i].Name), size)); }
            catch (DomainException e) { fail($"{i}:Name", e.Message); }
        }
        if (specs.GroupBy(s => s.Name.Value).FirstOrDefault(x => x.Count() > 1) is { } dup)
            fail("", $"the image '{dup.Key}' is listed twice; keep one.");
        return specs;
    }
}

/// <summary>Checks that <see cref="ImageOptions"/> names valid, distinct images with sizes.</summary>
public sealed class ImageOptionsValidator() : SectionValidator<ImageOptions>(ImageOptions.Section)
{
    protected override void Check(ImageOptions o, Action<string, string> fail) => o.Specs(fail);
}

/// <summary>One image as configured.</summary>
public sealed record ImageSpec(ImageName Name, ByteSize Size);

/// <summary>Values as people write them in configuration.</summary>
public static class ConfigurationValues
{
    /// <summary>A positive size such as 128GiB, or null.</summary>
    public static ByteSize? Size(string? text) => ByteSize.TryParse(text, out var s) && s.Bytes > 0 ? s : null;

    /// <summary>The problem to report for a value that is not a size.</summary>
    public static string NotASize(string? text) => $"'{text}' is not a size; write e.g. 128GiB or 2TiB.";
}
