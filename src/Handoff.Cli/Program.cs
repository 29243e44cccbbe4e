using Handoff.Cli.Commands;

return await CliRoot.Create().Parse(args).InvokeAsync();
