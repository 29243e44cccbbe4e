using System.Text.Json.Nodes;
using Handoff.Api.Crds.Validation.Cel;

namespace Handoff.Api.Tests.Validation;

public sealed class CelProgramTests
{
    private static bool Eval(string rule, string selfJson) => CelProgram.Compile(rule).Evaluate(JsonNode.Parse(selfJson));

    [Theory]
    [InlineData("self.all(k, k.matches('^[a-z]+$'))", """{"cpu":1,"memory":"2"}""", true)]
    [InlineData("self.all(k, k.matches('^[a-z]+$'))", """{"cpu":1,"Bad":"2"}""", false)]
    [InlineData("self.metadata.name.size() <= 63", """{"metadata":{"name":"abc"}}""", true)]
    [InlineData("self.metadata.name.size() <= 3", """{"metadata":{"name":"abcd"}}""", false)]
    [InlineData("size(self.metadata.name) == 4", """{"metadata":{"name":"abcd"}}""", true)]
    [InlineData("has(self.capacityFrom) && self.capacityFrom == 'Node' || has(self.capacity) && size(self.capacity) > 0", """{"capacity":{"cpu":"1"}}""", true)]
    [InlineData("has(self.capacityFrom) && self.capacityFrom == 'Node' || has(self.capacity) && size(self.capacity) > 0", """{"capacityFrom":"Node"}""", true)]
    [InlineData("has(self.capacityFrom) && self.capacityFrom == 'Node' || has(self.capacity) && size(self.capacity) > 0", """{"capacityFrom":"None","capacity":{}}""", false)]
    [InlineData("!has(self.borrowingLimit) || has(self.cohort)", """{"borrowingLimit":{"cpu":1}}""", false)]
    [InlineData("!has(self.borrowingLimit) || has(self.cohort)", """{"borrowingLimit":{"cpu":1},"cohort":"c"}""", true)]
    [InlineData("self.x in ['a', 'b'] ? self.y > 1 : self.y < 0", """{"x":"a","y":2}""", true)]
    [InlineData("self.items.exists(i, i == 2) && self.items.exists_one(i, i > 2) && self.items.filter(i, i > 1).size() == 2", """{"items":[1,2,3]}""", true)]
    [InlineData("self.items.map(i, i * 2) == [2, 4, 6] && self.items.map(i, i > 1, i) == [2, 3]", """{"items":[1,2,3]}""", true)]
    [InlineData("1 == 1.0 && 2 > 1.5 && 'b' > 'a' && -3 < 0 && 7 % 4 == 3 && 10 / 3 == 3", "{}", true)]
    [InlineData("'a' + 'b' == 'ab' && 'abc'.startsWith('ab') && 'abc'.endsWith('bc') && 'abc'.contains('b') && 'AbC'.lowerAscii() == 'abc'", "{}", true)]
    [InlineData("self.m['k.x'] == 1 && 'k.x' in self.m && {'a': 1}['a'] == 1", """{"m":{"k.x":1}}""", true)]
    [InlineData("-self.a == -2 && -self.a * 2 == -4", """{"a":2}""", true)]
    [InlineData("int('12') + 1 == 13 && string(5) == '5' && double(1) == 1.0", "{}", true)]
    [InlineData("r'^a\\d$' == '^a\\\\d$'", "{}", true)]
    public void Rules_evaluate_as_in_the_api_server(string rule, string self, bool expected) =>
        Assert.Equal(expected, Eval(rule, self));

    [Fact]
    public void Errors_are_absorbed_by_a_deciding_side_as_in_cel()
    {
        Assert.True(Eval("self.missing == 1 || true", "{}"));
        Assert.False(Eval("false && self.missing == 1", "{}"));
        Assert.Equal("no such key: missing", Assert.Throws<CelException>(() => Eval("self.missing == 1 || false", "{}")).Message);
        Assert.True(Eval("[1, 2].all(i, i > 0) && !['x'].exists(i, i == 'y')", "{}"));
    }

    [Theory]
    [InlineData("self.a ==")]
    [InlineData("self.a.optMap(x, x)?.b")]
    [InlineData("'unterminated")]
    public void Unsupported_or_invalid_syntax_is_a_compile_error(string rule) =>
        Assert.Throws<CelException>(() => CelProgram.Compile(rule));

    [Fact]
    public void Unknown_functions_fail_at_evaluation_with_no_such_overload() =>
        Assert.StartsWith("no such overload: quantity(", Assert.Throws<CelException>(() => Eval("quantity('1') == 1", "{}")).Message, StringComparison.Ordinal);
}
