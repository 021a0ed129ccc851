using Octopus.Domain.Operations;

namespace Octopus.Domain.Tests.Operations;

public sealed class CheckpointPayloadTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData(7, null)]
    [InlineData(null, 36.5)]
    [InlineData(3, 2.0)]
    public void Format_ThenParse_GivesItBack(int? keepLast, double? newerThanHours)
    {
        var payload = new CheckpointPayload("cp-20261207-020100", "nightly-checkpoint", keepLast,
            newerThanHours is { } h ? TimeSpan.FromHours(h) : null);
        CheckpointPayload.Parse(payload.Format()).Should().Be(payload);
        payload.Format().Length.Should().BeLessThan(1024, "the journal's payload column holds 1024 characters");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cp-1")]
    [InlineData("{\"name\":\"cp-1\"}")]
    [InlineData("{\"policy\":\"p\"}")]
    [InlineData("{\"name\":\"cp-1\",\"policy\":\"p\",\"keepLast\":\"many\"}")]
    public void Parse_NotAPayload_SaysWhatOneIs(string? text)
    {
        var parse = () => CheckpointPayload.Parse(text);
        parse.Should().Throw<FormatException>().WithMessage("*is not a checkpoint payload*");
    }
}
