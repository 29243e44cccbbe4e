using System.Globalization;
using CsCheck;
using Handoff.Api.Manifests;

namespace Handoff.Api.Tests.Manifests;

public sealed class GoNumbersTests
{
    [Theory]
    [InlineData(1000.0, "1000")]
    [InlineData(0.5, "0.5")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1.2345678901234569e+23, "1.2345678901234569e+23")]
    [InlineData(9.223372036854776e18, "9223372036854776000")]
    [InlineData(-0.000001, "-0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(-2.5e-10, "-2.5e-10")]
    public void Floats_are_written_as_Gos_encoding_json_writes_them(double value, string text) =>
        Assert.Equal(text, GoNumbers.FormatJson(value));

    [Fact]
    public void Written_floats_read_back_to_the_same_value() =>
        Gen.Double.Where(double.IsFinite).Sample(d =>
            double.Parse(GoNumbers.FormatJson(d), NumberStyles.Float, CultureInfo.InvariantCulture) == d);

    [Fact]
    public void Positional_form_exactly_between_1e_minus_6_and_1e21() =>
        Gen.Double.Where(d => double.IsFinite(d) && d != 0).Sample(d =>
        {
            var text = GoNumbers.FormatJson(d);
            var exponent = text.Contains('e', StringComparison.Ordinal);
            return exponent == (Math.Abs(d) < 1e-6 || Math.Abs(d) >= 1e21);
        });

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(1000.0, "1000")]
    [InlineData(1e6, "1e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    public void Float_map_keys_are_written_as_sigs_k8s_io_yaml_writes_them(double value, string text) =>
        Assert.Equal(text, GoNumbers.FormatFloatKey(value));
}
