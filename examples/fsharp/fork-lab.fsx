// Forks COUNT lab VMs (default 30) from a template VM: each gets a copy-on-write child of the template's disk.
// Usage: dotnet fsi examples/fsharp/fork-lab.fsx TEMPLATE [COUNT] [PREFIX]
#r "../../.build/client/Octopus.Contracts.dll"
#r "../../.build/client/Octopus.Client.dll"
open Octopus.Client

let args = fsi.CommandLineArgs |> Array.skip 1
if args.Length = 0 then failwith "usage: fork-lab.fsx TEMPLATE [COUNT] [PREFIX]"
let count = if args.Length > 1 then int args.[1] else 30
let prefix = if args.Length > 2 then args.[2] else "lab"
let octopus = OctopusClient.Connect()

let template = octopus.Vms.Handle(args.[0])
let forks = [ for i in 1 .. count -> template.Fork(sprintf "%s-%02d" prefix i) ]
forks |> List.iter (fun v -> v.WaitFor VmStates.Running)
let running = forks |> List.filter (fun v -> v.State = VmStates.Running) |> List.length
printfn "forked %d VMs from %s; %d running" forks.Length template.Name running
