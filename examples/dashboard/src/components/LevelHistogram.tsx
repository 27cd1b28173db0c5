import { LEVELS } from '../filters';
import type { LogLevel } from '../generated/graphql';

const BAR = 48;
const HEIGHT = 90;

/** How many of the loaded log lines have each level: plain SVG bars in the level colours. */
export function LevelHistogram({ levels }: { levels: LogLevel[] }) {
  const counts = LEVELS.map((level) => ({
    level,
    count: levels.filter((each) => each === level).length,
  }));
  const highest = Math.max(1, ...counts.map(({ count }) => count));
  return (
    <figure className="histogram">
      <svg
        viewBox={`0 0 ${LEVELS.length * BAR} ${HEIGHT}`}
        role="img"
        aria-label="Loaded log lines by level"
      >
        {counts.map(({ level, count }, index) => {
          const height = (count / highest) * 52;
          const middle = index * BAR + BAR / 2;
          return (
            <g key={level} className={`level-${level}`}>
              <rect x={middle - 15} y={68 - height} width={30} height={height} rx={3} />
              <text x={middle} y={62 - height} className="count">
                {count}
              </text>
              <text x={middle} y={84} className="axis">
                {level}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{levels.length} log lines loaded, by level</figcaption>
    </figure>
  );
}
