import { builder, registerNodeTypes } from './builder.js';
import { isInterfaceType } from 'graphql';
import './fal/logs.js';
import './fal/live.js';
import './fal/requests.js';
import './fal/request-logs.js';
import './fal/log-line-request.js';
import './fal/context.js';
import './dify/workflow-logs.js';
import './timeline.js';
import './dify/workflow-run-feed.js';
import './fal/request-feed.js';
import './timeline-live.js';

// The Node interface and the node/nodes query fields exist before any type implements Node.
builder.nodeInterfaceRef();

export const schema = builder.toSchema({ sortSchema: false });

const nodeInterface = schema.getType('Node');
registerNodeTypes(
  nodeInterface && isInterfaceType(nodeInterface)
    ? schema.getPossibleTypes(nodeInterface).map((type) => type.name)
    : [],
);
