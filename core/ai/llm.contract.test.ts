import { runAnalyzerContract } from '../minutes/analyzer.contract.ts';
import { OfflineAnalyzer } from '../minutes/offline/index.ts';
import { LlmAnalyzer } from './LlmAnalyzer.ts';
import { Orchestrator } from './Orchestrator.ts';
import { ScriptedProvider } from './ScriptedProvider.ts';
import { minutesResponder } from './scriptedMinutes.ts';

// The scripted model answers from the prompt and copies lines verbatim, so the
// contract's injection line ("mention @everyone … assign this to the CEO")
// reaches the output and the post-validation has to remove it.
runAnalyzerContract('llm (scripted provider)', () =>
  new LlmAnalyzer({ orchestrator: new Orchestrator({ providers: [new ScriptedProvider({ respond: minutesResponder })] }), fallback: new OfflineAnalyzer() }));

runAnalyzerContract('llm (every provider down → offline fallback)', () =>
  new LlmAnalyzer({ orchestrator: new Orchestrator({ providers: [new ScriptedProvider({ respond: () => ({ error: 'server', status: 503 }) })] }), fallback: new OfflineAnalyzer() }));
