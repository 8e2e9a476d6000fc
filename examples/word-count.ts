/**
 * WordCount, exactly as Flink's example: lines are lower-cased and split on non-word characters
 * (`\W+`), empty tokens dropped; each word is counted with keyBy(word).sum(count).
 *
 *   strom run examples/word-count.ts -- --input <file> --output <file>
 *
 * Without --input it counts an embedded text; without --output it prints to stdout (or, with
 * --collect true, sends the counts back to executeAndCollect(), as `strom wordcount` does).
 */
import { defineJob, Types } from '../src/index.js';
import { WORD_COUNT_TEXT } from './word-count-text.js';

export default defineJob((env, params) => {
  const text = params.input ? env.readTextFile(params.input) : env.fromCollection(WORD_COUNT_TEXT);
  const counts = text
    .flatMap((line: string, out: (word: [string, number]) => void) => {
      for (const token of line.toLowerCase().split(/\W+/)) if (token.length > 0) out([token, 1]);
    })
    .returns(Types.TUPLE(Types.STRING, Types.DOUBLE))
    .name('Tokenizer')
    .keyBy(0)
    .sum(1)
    .name('Counter');
  if (params.output) counts.writeAsText(params.output).name('Sink: Output');
  else if (params.collect === 'true') counts.collect();
  else counts.print();
  return 'WordCount';
});
