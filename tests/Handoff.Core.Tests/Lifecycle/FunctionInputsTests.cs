using System.Text;
using System.Text.Json;
using Handoff.Core.Lifecycle;

namespace Handoff.Core.Tests.Lifecycle;

/// <summary><see cref="FunctionInputs"/>: what a function is handed, and <see cref="InputLimits"/> on it.</summary>
public sealed class FunctionInputsTests
{
    [Fact]
    public void Results_come_first_in_order_then_extra_args_and_a_missing_result_is_empty()
    {
        var inputs = FunctionInputs.Assemble(["42", null, "x y"], ["2"]);

        Assert.Equal(["42", "", "x y", "2"], inputs.Values);
        Assert.Equal(["42", "", "x y", "2"], JsonSerializer.Deserialize<string[]>(inputs.Json)!);
        Assert.Equal(3, inputs.ResultCount);
        Assert.Null(inputs.Check("f", 1));
    }

    [Fact]
    public void More_args_than_allowed_are_too_many()
    {
        var inputs = FunctionInputs.Assemble([.. Enumerable.Repeat<string?>("", InputLimits.MaxArgs + 1)], []);

        Assert.Equal("257 args, more than the 256 allowed", inputs.Check("f", 1));
        Assert.Null(FunctionInputs.Assemble([.. Enumerable.Repeat<string?>("", InputLimits.MaxArgs)], []).Check("f", 1));
    }

    [Fact]
    public void Handoff_args_at_the_kernel_limit_fit_and_one_byte_more_does_not()
    {
        // ["<n × a>"]: the JSON is the string plus 4 bytes.
        var fits = FunctionInputs.Assemble([], [new string('a', InputLimits.MaxArgsBytes - 4)]);
        Assert.Equal(InputLimits.MaxArgsBytes, Encoding.UTF8.GetByteCount(fits.Json));
        Assert.Null(fits.Check("f", 1));

        var over = FunctionInputs.Assemble([], [new string('a', InputLimits.MaxArgsBytes - 3)]);
        Assert.Equal(
            "HANDOFF_ARGS would be 131059 bytes (0 result(s) of args, 1 extraArgs), more than the 131058 allowed (the kernel's 128 KiB limit on one environment string)",
            over.Check("f", 1));
    }

    [Fact]
    public void Thirty_two_full_results_are_too_large_for_HANDOFF_ARGS()
    {
        // 32 results of 4096 bytes (the termination message's maximum): 131,072 + JSON framing > 131,058.
        var results = Enumerable.Repeat<string?>(new string('r', 4096), 32).ToList();
        var message = FunctionInputs.Assemble(results, ["2"]).Check("f", 1);

        Assert.NotNull(message);
        Assert.StartsWith("HANDOFF_ARGS would be 131173 bytes (32 result(s) of args, 1 extraArgs)", message, StringComparison.Ordinal);
        Assert.Null(FunctionInputs.Assemble(results.Take(31).ToList(), ["2"]).Check("f", 1));
    }

    [Fact]
    public void Escaped_characters_count_as_the_pod_gets_them()
    {
        // The default JSON encoder writes '<' as \u003C: 6 bytes each.
        var inputs = FunctionInputs.Assemble(["<<"], []);

        Assert.Equal("[\"\\u003C\\u003C\"]", inputs.Json);
        Assert.Null(inputs.Check("f", 1));
    }

    [Fact]
    public void Every_container_gets_the_environment_so_many_containers_can_exceed_the_object_limit()
    {
        // ~100 KiB of HANDOFF_ARGS, and as much again in HANDOFF_ARG_i: ~200 KiB per container.
        var inputs = FunctionInputs.Assemble([.. Enumerable.Repeat<string?>(new string('r', 4000), 25)], []);

        Assert.Null(inputs.Check("f", 5));
        var message = inputs.Check("f", 6);
        Assert.NotNull(message);
        Assert.Matches(@"^the HANDOFF_\* environment of the pod's 6 container\(s\) would be \d+ bytes, more than the 1048576 allowed", message);
    }
}
