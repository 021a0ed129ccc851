namespace Octopus.Policies.Tests; public class PlaceholderTests { [Fact] public void A_B_C() => 1.Should().Be(1); }
