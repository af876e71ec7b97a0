using Supervision.Cli;

return await CalendarCli.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable("AzureWebJobsStorage"));
